import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { consistencyQuery } from "@/api/analysis-queries";
import type { Schemas } from "@/api/client";
import { Loading, LoadError } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Card, CardTitle } from "@/components/ui/card";

import { ALERT_TONE, Badge } from "./badge";

type Legal = Schemas["LegalRefOut"];

function twd(value: number, language: string): string {
  return new Intl.NumberFormat(language === "en" ? "en-US" : "zh-TW").format(value);
}

/** "NT$ 10,000 – 1,000,000" (or only the bound the law states). */
export function fineRange(legal: Legal, language: string): string | null {
  const { fine_min_twd: min, fine_max_twd: max } = legal;
  if (min === null && max === null) return null;
  if (min !== null && max !== null) return `NT$ ${twd(min, language)} – ${twd(max, language)}`;
  return `NT$ ${twd((min ?? max) as number, language)}`;
}

function LegalRef({ legal }: { legal: Legal }) {
  const { t, i18n } = useTranslation();
  const fine = fineRange(legal, i18n.language);
  return (
    <div className="space-y-0.5 text-xs text-slate-700">
      <p>
        {legal.duty_article && (
          <>
            <span className="font-medium">{t("analysis.consistency.duty")}:</span> {legal.duty_article}{" "}
          </>
        )}
        {legal.penalty_article && (
          <>
            <span className="font-medium">{t("analysis.consistency.penalty")}:</span>{" "}
            {legal.penalty_article}
          </>
        )}
      </p>
      {fine && (
        <p>
          <span className="font-medium">{t("analysis.consistency.fine")}:</span> {fine}
        </p>
      )}
      <p>
        {legal.url ? (
          <a href={legal.url} target="_blank" rel="noopener noreferrer" className="text-brand-700 underline">
            {legal.citation}
          </a>
        ) : (
          legal.citation
        )}
      </p>
      {!legal.verified && <p className="font-medium text-amber-900">{t("analysis.unverified")}</p>}
    </div>
  );
}

export function ConsistencySection({ productId }: { productId: string }) {
  const { t, i18n } = useTranslation();
  const query = useQuery(consistencyQuery(productId));
  const en = i18n.language === "en";

  return (
    <Card aria-labelledby="consistency-title">
      <CardTitle id="consistency-title" className="mb-3">
        {t("analysis.consistency.title")}
      </CardTitle>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <LoadError error={query.error} onRetry={() => void query.refetch()} />
      ) : query.data.alerts.length === 0 ? (
        <Alert tone="success">{t("analysis.consistency.empty")}</Alert>
      ) : (
        <div className="space-y-3">
          <p className="text-sm text-slate-700">
            {query.data.signable ? t("analysis.consistency.signable") : t("analysis.consistency.notSignable")}
          </p>
          <ul className="divide-y divide-slate-100">
            {query.data.alerts.map((alert, index) => (
              <li key={`${alert.rule_id}-${index}`} className="grid gap-2 py-3 md:grid-cols-[8rem_1fr] lg:grid-cols-[8rem_1fr_18rem]">
                <div className="space-y-1">
                  <Badge tone={ALERT_TONE[alert.severity] ?? "gray"}>{t(`severity.${alert.severity}`)}</Badge>
                  <p className="text-xs text-slate-600">
                    {t("analysis.consistency.items", {
                      items: alert.items.map((n) => t("analysis.itemNumber", { number: n })).join("、"),
                    })}
                  </p>
                </div>
                <p className="text-sm text-slate-900">
                  {(en ? alert.message.en : alert.message["zh-TW"]) ??
                    alert.message["zh-TW"] ??
                    alert.message.en}
                </p>
                <div className="md:col-start-2 lg:col-start-auto">
                  {alert.legal ? (
                    <LegalRef legal={alert.legal} />
                  ) : (
                    <p className="text-xs text-slate-600">{t("analysis.consistency.noLegal")}</p>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}
