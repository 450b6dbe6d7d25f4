import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { formulaQuery } from "@/api/formula-queries";
import { productQuery } from "@/api/queries";
import { isNotFound, Loading, LoadError, NotFound } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

import { FormulaEditor } from "./FormulaEditor";

/** PIF item 3: the product's formula table (route /products/$productId/formula). */
export function FormulaPage({ productId }: { productId: string }) {
  const { t } = useTranslation();
  const product = useQuery(productQuery(productId));
  const formula = useQuery(formulaQuery(productId));
  const [manual, setManual] = useState(false);

  if (isNotFound(product.error, formula.error)) return <NotFound message={t("formula.notFound")} />;
  if (product.isError) return <LoadError error={product.error} onRetry={() => void product.refetch()} />;
  if (formula.isError) return <LoadError error={formula.error} onRetry={() => void formula.refetch()} />;
  if (product.isPending || formula.isPending) return <Loading />;

  const itemThree = { to: "/products/$productId/items/$itemNumber", params: { productId, itemNumber: "3" } } as const;
  const empty = formula.data.items.length === 0 && !manual;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold text-slate-900">{t("formula.title")}</h1>
          <p className="text-sm text-slate-600">{product.data.name}</p>
        </div>
        <nav aria-label={t("formula.links")} className="flex flex-wrap gap-4 text-sm">
          <Link to="/products/$productId" params={{ productId }} className="text-brand-700 underline">
            {t("formula.backToPif")}
          </Link>
          <Link {...itemThree} className="text-brand-700 underline">
            {t("formula.itemThree")}
          </Link>
        </nav>
      </div>
      {empty ? (
        <Card className="space-y-3">
          <h2 className="text-lg font-semibold text-slate-900">{t("formula.emptyTitle")}</h2>
          <p className="text-sm text-slate-700">{t("formula.emptyBody")}</p>
          <div className="flex flex-wrap gap-2">
            <Button asChild>
              <Link {...itemThree}>{t("formula.upload")}</Link>
            </Button>
            <Button type="button" variant="outline" onClick={() => setManual(true)}>
              {t("formula.typeManually")}
            </Button>
          </div>
        </Card>
      ) : (
        <Card>
          <FormulaEditor productId={productId} saved={formula.data} />
        </Card>
      )}
    </div>
  );
}
