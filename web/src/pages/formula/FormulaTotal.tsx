import { useWatch, type Control } from "react-hook-form";
import { useTranslation } from "react-i18next";

import { cn } from "@/lib/utils";

import { formulaTotal, TOTAL_TOLERANCE, type FormValues } from "./formula-model";

/** The total of the rows as typed: the only part of the screen that follows every keystroke. */
export function FormulaTotal({ control }: { control: Control<FormValues> }) {
  const { t } = useTranslation();
  const rows = useWatch({ control, name: "rows" });
  const { total, balance, unread, ok } = formulaTotal(rows.map((row) => row.concentration ?? ""));
  return (
    <div
      role="status"
      data-testid="formula-total"
      className={cn(
        "rounded-md border px-4 py-3 text-sm",
        ok ? "border-emerald-300 bg-emerald-50 text-emerald-900" : "border-red-300 bg-red-50 text-red-900",
      )}
    >
      <p className="font-medium">
        {t("formula.total", { value: total === null ? "—" : formatPct(total) })}
        {balance !== null && <span className="ml-2 font-normal">{t("formula.totalBalance", { value: formatPct(balance) })}</span>}
      </p>
      {!ok && (
        <p className="mt-1">
          {total === null
            ? t("formula.totalUnknown")
            : t("formula.totalOff", { value: formatPct(total), tolerance: TOTAL_TOLERANCE })}
        </p>
      )}
      {unread > 0 && <p className="mt-1">{t("formula.totalUnread", { count: unread })}</p>}
    </div>
  );
}

export function formatPct(value: number): string {
  return `${Number(value.toFixed(4))}%`;
}
