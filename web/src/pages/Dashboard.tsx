import { useQueries, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";

import type { Schemas } from "@/api/client";
import { pifOverviewQuery, productsQuery } from "@/api/queries";
import { Loading, LoadError } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";

import { AlertsPanel, ExpiringPanel } from "./DashboardPanels";

export function DashboardPage() {
  const { t } = useTranslation();
  const products = useQuery(productsQuery());
  // The product list carries no PIF progress: one overview per product (see README).
  const overviews = useQueries({
    queries: (products.data?.items ?? []).map((product) => pifOverviewQuery(product.id)),
  });

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold text-slate-900">{t("dashboard.title")}</h1>
      <Card>
        <div className="mb-4 flex items-baseline justify-between">
          <CardTitle>{t("dashboard.products")}</CardTitle>
          {products.data && (
            <span className="text-sm text-slate-500">
              {t("dashboard.total", { count: products.data.total })}
            </span>
          )}
        </div>
        {products.isPending && <Loading />}
        {products.isError && (
          <LoadError error={products.error} onRetry={() => void products.refetch()} />
        )}
        {products.data && products.data.items.length === 0 && (
          <div className="py-6 text-center">
            <p className="mb-3 text-slate-600">{t("dashboard.empty")}</p>
            <Button asChild>
              <Link to="/products">{t("dashboard.createFirst")}</Link>
            </Button>
          </div>
        )}
        {products.data && products.data.items.length > 0 && (
          <ul className="divide-y divide-slate-100" aria-label={t("dashboard.products")}>
            {products.data.items.map((product, index) => (
              <ProductProgress
                key={product.id}
                product={product}
                overview={overviews[index]?.data}
                failed={overviews[index]?.isError ?? false}
              />
            ))}
          </ul>
        )}
      </Card>
      <div className="grid gap-6 md:grid-cols-2">
        <AlertsPanel />
        <ExpiringPanel />
      </div>
    </div>
  );
}

function ProductProgress({
  product,
  overview,
  failed,
}: {
  product: Schemas["ProductOut"];
  overview: Schemas["PifOverview"] | undefined;
  failed: boolean;
}) {
  const { t } = useTranslation();
  const blocking = overview?.blocking_items.length ?? 0;
  return (
    <li className="grid gap-2 py-3 md:grid-cols-[1fr_16rem] md:items-center">
      <div>
        <Link
          to="/products/$productId"
          params={{ productId: product.id }}
          className="font-medium text-brand-800 underline-offset-2 hover:underline"
        >
          {product.name}
        </Link>
        <p className="text-xs text-slate-500">
          {t(`productType.${product.product_type}`)} · {t(`pifStatus.${product.pif_status}`)}
        </p>
      </div>
      <div className="space-y-1">
        {overview ? (
          <>
            <Progress
              value={overview.progress_percent}
              label={`${t("dashboard.progress")}: ${product.name}`}
            />
            <p className="text-xs text-slate-600">
              {Math.round(overview.progress_percent)}% ·{" "}
              {blocking === 0 ? t("dashboard.complete") : t("dashboard.blocking", { count: blocking })}
            </p>
          </>
        ) : failed ? (
          <p className="text-xs text-red-700">{t("errors.loadFailed")}</p>
        ) : (
          <p className="text-xs text-slate-400">{t("app.loading")}</p>
        )}
      </div>
    </li>
  );
}
