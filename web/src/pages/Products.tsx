import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";

import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import {
  exposureCategoriesQuery,
  PAGE_SIZE,
  type PifStatus,
  type ProductFilters,
  productsQuery,
} from "@/api/queries";
import { describedBy, Field } from "@/components/field";
import { Loading, LoadError } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { Input, Select } from "@/components/ui/input";
import { errorMessage, fieldErrors } from "@/lib/error-message";
import { PRODUCT_TYPES } from "@/lib/product-types";

import { EMPTY_PRODUCT, type ProductForm, productSchema, toProductCreate } from "./product-form";

const PIF_STATUSES = ["draft", "in_review", "revision_requested", "signed", "archived"] as const satisfies
  readonly PifStatus[];

export function ProductsPage({ filters }: { filters: ProductFilters }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const offset = filters.offset ?? 0;
  const products = useQuery(productsQuery(filters, PAGE_SIZE));
  const [search, setSearch] = useState(filters.q ?? "");
  const [status, setStatus] = useState<PifStatus | "">(filters.status ?? "");
  const dates = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" });
  const go = (next: ProductFilters) =>
    void navigate({
      to: "/products",
      search: {
        ...(next.q ? { q: next.q } : {}),
        ...(next.status ? { status: next.status } : {}),
        ...(next.offset ? { offset: next.offset } : {}),
      },
    });
  const total = products.data?.total ?? 0;

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold text-slate-900">{t("products.title")}</h1>
      <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
        <Card>
          <form
            role="search"
            className="mb-4 flex flex-wrap gap-2"
            onSubmit={(event) => {
              event.preventDefault();
              go({ q: search, status: status || undefined });
            }}
          >
            <Input
              aria-label={t("products.search")}
              placeholder={t("products.search")}
              className="min-w-48 flex-1"
              value={search}
              maxLength={200}
              onChange={(event) => setSearch(event.target.value)}
            />
            <Select
              aria-label={t("products.status")}
              className="w-auto"
              value={status}
              onChange={(event) => setStatus(event.target.value as PifStatus | "")}
            >
              <option value="">{t("products.anyStatus")}</option>
              {PIF_STATUSES.map((value) => (
                <option key={value} value={value}>
                  {t(`pifStatus.${value}`)}
                </option>
              ))}
            </Select>
            <Button type="submit" variant="outline">
              {t("products.searchButton")}
            </Button>
          </form>
          {products.isPending && <Loading />}
          {products.isError && (
            <LoadError error={products.error} onRetry={() => void products.refetch()} />
          )}
          {products.data && products.data.items.length === 0 && (
            <p className="py-6 text-center text-slate-600">{t("products.empty")}</p>
          )}
          {products.data && products.data.items.length > 0 && (
            <DataTable
              columns={[
                t("products.name"),
                t("products.type"),
                t("products.status"),
                t("products.created"),
              ]}
            >
              {products.data.items.map((product) => (
                <tr key={product.id}>
                  <td className="py-2 pr-3">
                    <Link
                      to="/products/$productId"
                      params={{ productId: product.id }}
                      className="font-medium text-brand-800 underline-offset-2 hover:underline"
                    >
                      {product.name}
                    </Link>
                    {product.name_en && (
                      <span className="block text-xs text-slate-500">{product.name_en}</span>
                    )}
                  </td>
                  <td className="py-2 pr-3">{t(`productType.${product.product_type}`)}</td>
                  <td className="py-2 pr-3">{t(`pifStatus.${product.pif_status}`)}</td>
                  <td className="py-2">{dates.format(new Date(product.created_at))}</td>
                </tr>
              ))}
            </DataTable>
          )}
          {total > PAGE_SIZE && (
            <nav
              aria-label={t("products.pages")}
              className="mt-4 flex items-center justify-between text-sm text-slate-600"
            >
              <span>
                {t("products.range", {
                  from: offset + 1,
                  to: Math.min(offset + PAGE_SIZE, total),
                  total,
                })}
              </span>
              <div className="flex gap-2">
                <Button
                  variant="outline"
                  size="sm"
                  disabled={offset === 0}
                  onClick={() => go({ ...filters, offset: Math.max(0, offset - PAGE_SIZE) })}
                >
                  {t("products.previous")}
                </Button>
                <Button
                  variant="outline"
                  size="sm"
                  disabled={offset + PAGE_SIZE >= total}
                  onClick={() => go({ ...filters, offset: offset + PAGE_SIZE })}
                >
                  {t("products.next")}
                </Button>
              </div>
            </nav>
          )}
        </Card>
        <CreateProduct />
      </div>
    </div>
  );
}

function CreateProduct() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const categories = useQuery(exposureCategoriesQuery);
  const [created, setCreated] = useState<string | null>(null);
  const form = useForm<ProductForm>({
    resolver: zodResolver(productSchema),
    defaultValues: EMPTY_PRODUCT,
  });
  const create = useMutation({
    mutationFn: async (values: ProductForm) =>
      unwrap(await api.POST("/api/v1/products", { body: toProductCreate(productSchema.parse(values)) })),
    onSuccess: async (product) => {
      setCreated(product.name);
      form.reset(EMPTY_PRODUCT);
      await queryClient.invalidateQueries({ queryKey: ["products"] });
    },
    onError: (error) => {
      for (const [field, message] of Object.entries(fieldErrors(t, error))) {
        if (field in EMPTY_PRODUCT) form.setError(field as keyof ProductForm, { message });
      }
    },
  });
  const { errors } = form.formState;
  const message = (key: keyof ProductForm) => {
    const text = errors[key]?.message;
    return text?.startsWith("validation.") ? t(text as "validation.required") : text;
  };

  return (
    <Card>
      <CardTitle className="mb-4">{t("products.create")}</CardTitle>
      <form
        className="space-y-4"
        noValidate
        onSubmit={form.handleSubmit((values) => {
          setCreated(null);
          create.mutate(values);
        })}
      >
        {created && <Alert tone="success">{t("products.createdNotice", { name: created })}</Alert>}
        {create.isError && Object.keys(fieldErrors(t, create.error)).length === 0 && (
          <Alert tone="error">{errorMessage(t, create.error)}</Alert>
        )}
        <Field id="product-name" label={t("products.name")} error={message("name")}>
          <Input
            id="product-name"
            aria-invalid={!!errors.name}
            aria-describedby={describedBy("product-name", message("name"))}
            {...form.register("name")}
          />
        </Field>
        <Field id="product-name-en" label={t("products.nameEn")} error={message("name_en")}>
          <Input id="product-name-en" lang="en" {...form.register("name_en")} />
        </Field>
        <Field id="product-type" label={t("products.type")} error={message("product_type")}>
          <Select
            id="product-type"
            aria-invalid={!!errors.product_type}
            aria-describedby={describedBy("product-type", message("product_type"))}
            {...form.register("product_type")}
          >
            <option value="">{t("products.choose")}</option>
            {PRODUCT_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`productType.${type}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="product-category" label={t("products.category")} error={message("category")}>
          <Input id="product-category" {...form.register("category")} />
        </Field>
        <Field
          id="product-sccs"
          label={t("products.sccsCategory")}
          help={t("products.sccsHelp")}
          error={message("sccs_category")}
        >
          <Select
            id="product-sccs"
            aria-describedby={describedBy("product-sccs", message("sccs_category"), "help")}
            {...form.register("sccs_category")}
          >
            <option value="">{t("products.choose")}</option>
            {(categories.data ?? []).map((category) => (
              <option key={category.key} value={category.key}>
                {category.name}
              </option>
            ))}
          </Select>
        </Field>
        <label className="flex items-center gap-2 text-sm text-slate-800">
          <input
            type="checkbox"
            className="size-4 accent-brand-700"
            {...form.register("children_under_3")}
          />
          {t("products.childrenUnder3")}
        </label>
        <Button type="submit" className="w-full" disabled={create.isPending}>
          {create.isPending ? t("products.creating") : t("products.createSubmit")}
        </Button>
      </form>
    </Card>
  );
}
