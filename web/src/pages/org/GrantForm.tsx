import type { TFunction } from "i18next";
import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useForm, useWatch } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { z } from "zod";

import { ApiError } from "@/api/errors";
import { grantAssessor } from "@/api/org-queries";
import { productsQuery } from "@/api/queries";
import { describedBy, Field } from "@/components/field";
import { fieldText } from "@/components/form-text";
import { Loading, LoadError } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { errorMessage, fieldErrors } from "@/lib/error-message";

// The API takes at most 100 products per invitation (GrantInviteIn.product_ids).
export const MAX_GRANT_PRODUCTS = 100;

export const grantSchema = z
  .object({
    email: z.email({ error: "validation.email" }),
    scope: z.enum(["all", "chosen"]),
    product_ids: z.array(z.string()),
  })
  .refine((values) => values.scope === "all" || values.product_ids.length > 0, {
    path: ["product_ids"],
    error: "org.grantForm.chooseProduct",
  });
type GrantFormValues = z.input<typeof grantSchema>;

function grantError(t: TFunction, error: unknown): string {
  if (error instanceof ApiError && error.code === "grant_exists") return t("org.grantForm.exists");
  return errorMessage(t, error);
}

/** Invite an outside Safety Assessor by e-mail to review all or chosen products. */
export function GrantForm() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const products = useQuery(productsQuery({}, MAX_GRANT_PRODUCTS));
  const form = useForm<GrantFormValues>({
    resolver: zodResolver(grantSchema),
    defaultValues: { email: "", scope: "all", product_ids: [] },
  });
  const grant = useMutation({
    mutationFn: ({ email, scope, product_ids }: GrantFormValues) =>
      grantAssessor(
        email,
        scope === "all" ? (products.data?.items ?? []).map((p) => p.id) : product_ids,
      ),
    onSuccess: async () => {
      form.reset();
      await queryClient.invalidateQueries({ queryKey: ["org-grants"] });
    },
  });
  const scope = useWatch({ control: form.control, name: "scope" });
  const emailError = fieldText(t, form.formState.errors.email) ?? fieldErrors(t, grant.error).email;
  const productsError = form.formState.errors.product_ids && t("org.grantForm.chooseProduct");
  const tooMany = (products.data?.total ?? 0) > MAX_GRANT_PRODUCTS;
  useEffect(() => {
    // More products than one invitation takes: the assessor gets chosen ones.
    if (tooMany) form.setValue("scope", "chosen");
  }, [tooMany, form]);

  return (
    <form
      noValidate
      aria-labelledby="grant-title"
      className="space-y-4 border-t border-slate-200 pt-4"
      onSubmit={form.handleSubmit((values) => grant.mutate(values))}
    >
      <h3 id="grant-title" className="text-base font-semibold text-slate-900">
        {t("org.grantForm.title")}
      </h3>
      {grant.isError && <Alert tone="error">{grantError(t, grant.error)}</Alert>}
      {grant.isSuccess && (
        <Alert tone="success">
          {t("org.grantForm.sent", { email: grant.data[0]?.email ?? "", count: grant.data.length })}
        </Alert>
      )}
      <div className="max-w-md">
        <Field
          id="grant-email"
          label={t("org.grantForm.email")}
          help={t("org.grantForm.emailHelp")}
          error={emailError}
        >
          <Input
            id="grant-email"
            type="email"
            autoComplete="off"
            aria-invalid={!!emailError}
            aria-describedby={describedBy("grant-email", emailError, t("org.grantForm.emailHelp"))}
            {...form.register("email")}
          />
        </Field>
      </div>
      {products.isPending ? (
        <Loading />
      ) : products.isError ? (
        <LoadError error={products.error} onRetry={() => void products.refetch()} />
      ) : products.data.items.length === 0 ? (
        <p className="text-sm text-slate-600">{t("org.grantForm.noProducts")}</p>
      ) : (
        <>
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-slate-900">{t("org.grantForm.scope")}</legend>
            <label className="flex items-center gap-2 text-sm text-slate-800">
              <input type="radio" value="all" disabled={tooMany} {...form.register("scope")} />
              {t("org.grantForm.all", { count: products.data.total })}
            </label>
            <label className="flex items-center gap-2 text-sm text-slate-800">
              <input type="radio" value="chosen" {...form.register("scope")} />
              {t("org.grantForm.chosen")}
            </label>
            {tooMany && (
              <p className="text-xs text-slate-600">
                {t("org.grantForm.tooMany", { max: MAX_GRANT_PRODUCTS })}
              </p>
            )}
          </fieldset>
          {scope === "chosen" && (
            <fieldset
              className="space-y-1"
              aria-invalid={!!productsError}
              aria-describedby={productsError ? "grant-products-error" : undefined}
            >
              <legend className="text-sm font-medium text-slate-900">
                {t("org.grantForm.products")}
              </legend>
              <div className="grid max-h-56 gap-1 overflow-y-auto rounded border border-slate-200 p-2 md:grid-cols-2">
                {products.data.items.map((product) => (
                  <label key={product.id} className="flex items-center gap-2 text-sm text-slate-800">
                    <input type="checkbox" value={product.id} {...form.register("product_ids")} />
                    {product.name}
                  </label>
                ))}
              </div>
              {productsError && (
                <p id="grant-products-error" className="text-xs text-red-700">
                  {productsError}
                </p>
              )}
            </fieldset>
          )}
          <Button type="submit" disabled={grant.isPending}>
            {t("org.grantForm.submit")}
          </Button>
        </>
      )}
    </form>
  );
}
