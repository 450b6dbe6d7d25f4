import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";

import type { Schemas } from "@/api/client";
import { pifOverviewQuery, productQuery } from "@/api/queries";
import { isNotFound, Loading, LoadError, NotFound } from "@/components/states";
import { Card, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { Progress } from "@/components/ui/progress";
import { cn } from "@/lib/utils";

import { ProductVersions } from "./ProductVersions";
import { SubmitReview } from "./SubmitReview";

type Item = Schemas["ItemOut"];
export type Grouping = "number" | "stage";

const BAND_TONE = {
  green: "bg-emerald-100 text-emerald-900",
  yellow: "bg-amber-100 text-amber-900",
  red: "bg-red-100 text-red-900",
} as const;

/** The product's 16 PIF items, by number or by lifecycle stage (the builder's start). */
export function ProductPifPage({ productId, grouping }: { productId: string; grouping: Grouping }) {
  const { t, i18n } = useTranslation();
  const product = useQuery(productQuery(productId));
  const overview = useQuery(pifOverviewQuery(productId));
  const en = i18n.language === "en";

  if (isNotFound(product.error)) return <NotFound message={t("pif.notFound")} />;
  if (product.isError) return <LoadError error={product.error} onRetry={() => void product.refetch()} />;
  if (product.isPending || overview.isPending) return <Loading />;
  if (overview.isError) {
    return <LoadError error={overview.error} onRetry={() => void overview.refetch()} />;
  }

  const items = new Map(overview.data.items.map((item) => [item.item_number, item]));
  const groups =
    grouping === "stage"
      ? overview.data.stages.map((stage) => ({
          key: stage.code,
          title: en ? stage.name_en : stage.name_zh,
          items: stage.item_numbers.flatMap((number) => items.get(number) ?? []),
        }))
      : [{ key: "all", title: t("pif.allItems"), items: overview.data.items }];

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold text-slate-900">{product.data.name}</h1>
          <p className="text-sm text-slate-600">
            {t(`productType.${product.data.product_type}`)} ·{" "}
            {t(`pifStatus.${product.data.pif_status}`)}
          </p>
          <div className="mt-1 flex flex-wrap gap-4">
            <Link
              to="/products/$productId/formula"
              params={{ productId }}
              className="text-sm text-brand-700 underline"
            >
              {t("formula.link")}
            </Link>
            <Link
              to="/products/$productId/analysis"
              params={{ productId }}
              className="text-sm text-brand-700 underline"
            >
              {t("analysis.link")}
            </Link>
          </div>
        </div>
        <div className="w-64 space-y-1">
          <Progress
            value={overview.data.progress_percent}
            label={`${t("dashboard.progress")}: ${product.data.name}`}
          />
          <p className="text-xs text-slate-600">
            {Math.round(overview.data.progress_percent)}% ·{" "}
            {overview.data.blocking_items.length === 0
              ? t("dashboard.complete")
              : t("dashboard.blocking", { count: overview.data.blocking_items.length })}
          </p>
        </div>
      </div>
      <nav aria-label={t("pif.grouping")} className="flex gap-2 text-sm">
        {(["number", "stage"] as const).map((value) => (
          <Link
            key={value}
            to="/products/$productId"
            params={{ productId }}
            search={value === "stage" ? { by: "stage" } : {}}
            className={cn(
              "rounded-md border px-3 py-1.5",
              grouping === value
                ? "border-brand-700 bg-brand-50 text-brand-800"
                : "border-slate-300 text-slate-700",
            )}
            aria-current={grouping === value ? "page" : undefined}
          >
            {value === "stage" ? t("pif.byStage") : t("pif.byNumber")}
          </Link>
        ))}
      </nav>
      <SubmitReview productId={productId} />
      {groups.map((group) => (
        <Card key={group.key}>
          <CardTitle className="mb-3">{group.title}</CardTitle>
          <ItemTable productId={productId} items={group.items} />
        </Card>
      ))}
      <ProductVersions productId={productId} />
    </div>
  );
}

function ItemTable({ productId, items }: { productId: string; items: Item[] }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === "en";
  return (
    <DataTable columns={[t("pif.item"), t("pif.status"), t("pif.confidence"), t("pif.provider")]}>
      {items.map((item) => (
        <tr key={item.item_number} data-testid={`item-${item.item_number}`}>
          <td className="py-2 pr-3">
            <Link
              to="/products/$productId/items/$itemNumber"
              params={{ productId, itemNumber: String(item.item_number) }}
              className="rounded-sm hover:underline focus-visible:outline-2 focus-visible:outline-brand-700"
            >
              <span className="mr-2 font-mono text-slate-500">{item.item_number}</span>
              <span className="font-medium text-slate-900">{en ? item.name_en : item.name_zh}</span>
            </Link>
          </td>
          <td className="py-2 pr-3">{t(`itemStatus.${item.status}`)}</td>
          <td className="py-2 pr-3">
            {item.confidence_band && item.confidence !== null ? (
              <span
                className={cn(
                  "rounded px-2 py-0.5 text-xs font-medium",
                  BAND_TONE[item.confidence_band],
                )}
              >
                {t(`confidence.${item.confidence_band}`)} {Math.round(item.confidence * 100)}%
              </span>
            ) : (
              <span className="text-xs text-slate-400">{t("pif.noConfidence")}</span>
            )}
          </td>
          <td className="py-2">
            {en ? item.provider.name_en : item.provider.name_zh}
            {item.provider.outsourced && (
              <span className="ml-1 text-xs text-slate-500">({t("pif.outsourced")})</span>
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
