import { memo } from "react";
import type { FieldErrors, UseFormRegister } from "react-hook-form";
import { useTranslation } from "react-i18next";

import type { Finding } from "@/api/formula-queries";
import { Button } from "@/components/ui/button";
import { BAND_TONE, confidenceBand } from "@/lib/confidence";
import { cn } from "@/lib/utils";

import type { Field, FormRow as FormRowValues, FormValues } from "./formula-model";
import { SEVERITY_TONE } from "./severity";

/** What the table knows of a row besides its cells: from the stored row, or from a live
 * check of the unsaved edits. */
export interface RowMeta {
  /** The dictionary's Chinese name for the matched ingredient: the cell's placeholder. */
  dictionaryZhName: string | null;
  match: string | null;
  confidence: number | null;
  /** The remainder a stored balance row ("q.s.") was given. */
  balance: number | null;
}

const CELL = "h-9 rounded border border-slate-300 bg-white px-2 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-brand-700 aria-invalid:border-red-600";
const COLUMNS = 9;

interface Props {
  index: number;
  fieldKey: string;
  register: UseFormRegister<FormValues>;
  meta: RowMeta | undefined;
  findings: Finding[] | undefined;
  errors: FieldErrors<FormRowValues> | undefined;
  onRemove: (index: number) => void;
}

/** One formula row: real inputs (uncontrolled, registered with the form), so typing in
 * one re-renders no other row. */
export const FormulaRow = memo(function FormulaRow({
  index,
  fieldKey,
  register,
  meta,
  findings,
  errors,
  onRemove,
}: Props) {
  const { t } = useTranslation();
  const number = index + 1;
  const band = confidenceBand(meta?.confidence);
  const findingsId = `formula-findings-${fieldKey}`;

  function input(field: Field, className: string, required = false, placeholder?: string) {
    const message = errors?.[field]?.message;
    const errorId = `formula-error-${fieldKey}-${field}`;
    const described = [message ? errorId : null, findings?.length ? findingsId : null]
      .filter(Boolean)
      .join(" ");
    return (
      <>
        <input
          className={`${CELL} ${className}`}
          aria-label={t("formula.cellLabel", { row: number, column: t(`formula.column.${field}`) })}
          aria-invalid={message ? true : undefined}
          aria-describedby={described || undefined}
          placeholder={placeholder}
          {...register(`rows.${index}.${field}`, {
            validate: required ? (value) => value.trim() !== "" || t("formula.nameRequired") : undefined,
          })}
        />
        {message && (
          <p id={errorId} className="mt-1 max-w-56 text-xs text-red-700">
            {message}
          </p>
        )}
      </>
    );
  }
  const td = "px-1 py-1.5 align-top";

  return (
    <>
      <tr data-testid={`formula-row-${number}`} className={cn(findings?.length ? "" : "border-b border-slate-100")}>
        <td className="py-1.5 pr-2 align-top font-mono text-xs leading-9 text-slate-600">{number}</td>
        <td className={td}>{input("name", "w-56", true)}</td>
        <td className={td}>{input("zhName", "w-32", false, meta?.dictionaryZhName ?? undefined)}</td>
        <td className={td}>{input("cas", "w-28")}</td>
        <td className={td}>
          {input("concentration", "w-24")}
          {meta?.balance !== null && meta?.balance !== undefined && (
            <p className="mt-1 text-xs text-slate-600">{t("formula.balanceIs", { value: meta.balance })}</p>
          )}
        </td>
        <td className={td}>{input("function", "w-36")}</td>
        <td className="px-1 py-1.5 align-top text-xs leading-9 text-slate-700">
          {meta?.match ? t(`formula.match.${meta.match}`, { defaultValue: meta.match }) : "—"}
        </td>
        <td className="px-1 py-1.5 align-top leading-9">
          {band && meta?.confidence !== null && meta?.confidence !== undefined ? (
            <span className={cn("rounded px-2 py-0.5 text-xs font-medium", BAND_TONE[band])}>
              {t(`confidence.${band}`)} {Math.round(meta.confidence * 100)}%
            </span>
          ) : (
            <span className="text-xs text-slate-600">—</span>
          )}
        </td>
        <td className="py-1.5 pl-1 align-top">
          <Button
            type="button"
            variant="ghost"
            size="sm"
            onClick={() => onRemove(index)}
            aria-label={t("formula.removeRow", { row: number })}
          >
            {t("formula.remove")}
          </Button>
        </td>
      </tr>
      {findings && findings.length > 0 && (
        <tr className="border-b border-slate-100" data-testid={`formula-findings-${number}`}>
          <td />
          <td colSpan={COLUMNS - 1} className="px-1 pb-2">
            <ul id={findingsId} aria-label={t("formula.rowFindings", { row: number })} className="space-y-1">
              {findings.map((finding, i) => (
                <li key={`${finding.rule}-${finding.authority}-${i}`} className="flex flex-wrap items-start gap-2 text-xs text-slate-800">
                  <span className={cn("rounded px-1.5 py-0.5 font-medium", SEVERITY_TONE[finding.severity])}>
                    {t(`formula.severity.${finding.severity}`)}
                  </span>
                  <span className="min-w-0 flex-1">
                    {finding.message}
                    <span className="ml-1 text-slate-600">({finding.citation})</span>
                  </span>
                </li>
              ))}
            </ul>
          </td>
        </tr>
      )}
    </>
  );
});
