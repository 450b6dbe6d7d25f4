import { useTranslation } from "react-i18next";

import type { Finding } from "@/api/formula-queries";
import { cn } from "@/lib/utils";

import { SEVERITY_TONE } from "./severity";

const ORDER: Finding["severity"][] = ["critical", "high", "advisory", "info"];

/** What the compliance check found, counted by severity; the findings themselves sit next
 * to their rows, only those naming no row are listed here. */
export function FormulaFindings({
  pending,
  live,
  findings,
  general,
}: {
  pending: boolean;
  live: boolean;
  findings: readonly Finding[];
  general: readonly Finding[];
}) {
  const { t } = useTranslation();
  if (pending) {
    return (
      <p role="status" className="text-sm text-slate-600">
        {t("formula.findingsLoading")}
      </p>
    );
  }
  const counts = ORDER.map((severity) => [severity, findings.filter((f) => f.severity === severity).length] as const);
  return (
    <section aria-labelledby="formula-findings-heading" className="space-y-2">
      <h2 id="formula-findings-heading" className="text-base font-semibold text-slate-900">
        {t("formula.findingsTitle")}
      </h2>
      <p className="text-sm text-slate-600">{live ? t("formula.findingsLive") : t("formula.findingsSaved")}</p>
      {findings.length === 0 ? (
        <p className="text-sm text-slate-700">{t("formula.noFindings")}</p>
      ) : (
        <ul className="flex flex-wrap gap-2" aria-label={t("formula.findingsSummary")}>
          {counts
            .filter(([, count]) => count > 0)
            .map(([severity, count]) => (
              <li key={severity} className={cn("rounded px-2 py-0.5 text-xs font-medium", SEVERITY_TONE[severity])}>
                {t(`formula.severity.${severity}`)} {count}
              </li>
            ))}
        </ul>
      )}
      {general.length > 0 && (
        <ul className="space-y-1 text-sm text-slate-800">
          {general.map((finding, i) => (
            <li key={`${finding.rule}-${i}`}>
              <span className={cn("mr-2 rounded px-1.5 py-0.5 text-xs font-medium", SEVERITY_TONE[finding.severity])}>
                {t(`formula.severity.${finding.severity}`)}
              </span>
              {finding.ingredient}: {finding.message} <span className="text-slate-600">({finding.citation})</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
