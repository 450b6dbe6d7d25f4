import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type KeyboardEvent, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import { productQuery } from "@/api/queries";
import { isNotFound, Loading, LoadError, NotFound } from "@/components/states";
import { cn } from "@/lib/utils";

import { ClaimsSection } from "./ClaimsSection";
import { ComplianceSection } from "./ComplianceSection";
import { ConsistencySection } from "./ConsistencySection";
import { SafetySection } from "./SafetySection";

import { type Tab, TABS } from "./tabs";


/** Compliance findings, the safety assessment, the consistency alerts and the claims check
 * of one product, as tabs (arrow keys, Home and End move between them). */
export function AnalysisPage({ productId, initialTab }: { productId: string; initialTab?: Tab }) {
  const { t } = useTranslation();
  const product = useQuery(productQuery(productId));
  const [tab, setTab] = useState<Tab>(initialTab ?? "compliance");
  const buttons = useRef<Partial<Record<Tab, HTMLButtonElement | null>>>({});

  if (isNotFound(product.error)) return <NotFound message={t("pif.notFound")} />;
  if (product.isError) return <LoadError error={product.error} onRetry={() => void product.refetch()} />;
  if (product.isPending) return <Loading />;

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const index = TABS.indexOf(tab);
    const next = {
      ArrowRight: TABS[(index + 1) % TABS.length],
      ArrowLeft: TABS[(index + TABS.length - 1) % TABS.length],
      Home: TABS[0],
      End: TABS[TABS.length - 1],
    }[event.key];
    if (!next) return;
    event.preventDefault();
    setTab(next);
    buttons.current[next]?.focus();
  }

  return (
    <div className="space-y-6">
      <div>
        <Link
          to="/products/$productId"
          params={{ productId }}
          className="text-sm text-brand-700 underline"
        >
          {t("analysis.backToPif")}
        </Link>
        <h1 className="mt-1 text-2xl font-semibold text-slate-900">
          {t("analysis.title")}: {product.data.name}
        </h1>
      </div>
      <div
        role="tablist"
        aria-label={t("analysis.sections")}
        className="flex flex-wrap gap-2 border-b border-slate-200"
        onKeyDown={onKeyDown}
      >
        {TABS.map((value) => (
          <button
            key={value}
            ref={(node) => {
              buttons.current[value] = node;
            }}
            type="button"
            role="tab"
            id={`analysis-tab-${value}`}
            aria-selected={tab === value}
            aria-controls={`analysis-panel-${value}`}
            tabIndex={tab === value ? 0 : -1}
            onClick={() => setTab(value)}
            className={cn(
              "-mb-px border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-brand-700",
              tab === value
                ? "border-brand-700 text-brand-800"
                : "border-transparent text-slate-600 hover:text-slate-900",
            )}
          >
            {t(`analysis.tab.${value}`)}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`analysis-panel-${tab}`}
        aria-labelledby={`analysis-tab-${tab}`}
        tabIndex={0}
        className="focus-visible:outline-2 focus-visible:outline-brand-700"
      >
        {tab === "compliance" && <ComplianceSection productId={productId} />}
        {tab === "safety" && <SafetySection productId={productId} />}
        {tab === "consistency" && <ConsistencySection productId={productId} />}
        {tab === "claims" && <ClaimsSection productId={productId} />}
      </div>
    </div>
  );
}
