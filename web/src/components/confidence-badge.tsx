import { useTranslation } from "react-i18next";

import { BAND_TONE, confidenceBand } from "@/lib/confidence";
import { cn } from "@/lib/utils";

/** A confidence as its colour and percentage (a dash when there is none). */
export function ConfidenceBadge({ value }: { value: number | null | undefined }) {
  const { t } = useTranslation();
  const band = confidenceBand(value);
  if (band === null || value === null || value === undefined) {
    return <span className="text-xs text-slate-400">{t("pif.noConfidence")}</span>;
  }
  return (
    <span className={cn("rounded px-2 py-0.5 text-xs font-medium", BAND_TONE[band])}>
      {t(`confidence.${band}`)} {Math.round(value * 100)}%
    </span>
  );
}
