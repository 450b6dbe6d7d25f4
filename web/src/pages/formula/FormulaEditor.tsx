import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { useFieldArray, useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";

import {
  productComplianceQuery,
  useCheckFormula,
  useSaveFormula,
  type FormulaCheck,
  type FormulaRead,
} from "@/api/formula-queries";
import { LoadError } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/error-message";

import { FormulaFindings } from "./FormulaFindings";
import { FormulaRow, type RowMeta } from "./FormulaRow";
import { FormulaTotal } from "./FormulaTotal";
import {
  emptyRow,
  fromRead,
  placeFindings,
  rowErrors,
  toCheck,
  toWrite,
  type FormValues,
} from "./formula-model";

interface LiveCheck {
  result: FormulaCheck;
  /** The form row keys in the order they were checked (finding.rows index into it). */
  keys: string[];
}

/** The formula table, edited in place and saved whole (PUT .../ingredients). */
export function FormulaEditor({ productId, saved }: { productId: string; saved: FormulaRead }) {
  const { t } = useTranslation();
  const compliance = useQuery(productComplianceQuery(productId));
  const save = useSaveFormula(productId);
  const check = useCheckFormula();
  const [live, setLive] = useState<LiveCheck | null>(null);
  const [savedNotes, setSavedNotes] = useState<string[] | null>(null);
  const form = useForm<FormValues>({
    defaultValues: { rows: saved.items.length ? fromRead(saved.items) : [emptyRow()] },
  });
  const { fields, append, remove } = useFieldArray({ control: form.control, name: "rows" });
  const { errors, isDirty, isSubmitting } = form.formState;

  const stored = useMemo(() => new Map(saved.items.map((row) => [row.id, row])), [saved]);
  const savedFindings = useMemo(
    () => placeFindings(compliance.data?.findings ?? [], saved.items.map((row) => row.id)),
    [compliance.data, saved],
  );
  const liveFindings = useMemo(
    () => (live ? placeFindings(live.result.findings, live.keys) : null),
    [live],
  );
  const meta = useMemo(() => {
    const out = new Map<string, RowMeta>();
    const resolved = new Map(live?.keys.map((key, i) => [key, live.result.resolved[i]]) ?? []);
    for (const field of fields) {
      const row = field.rowId ? stored.get(field.rowId) : undefined;
      const checked = resolved.get(field.id);
      if (!row && !checked) continue;
      out.set(field.id, {
        dictionaryZhName: row?.zh_name_source === "dictionary" ? (row.zh_name ?? null) : null,
        match: checked ? checked.match : (row?.match_method ?? null),
        confidence: checked ? checked.confidence : (row?.confidence.row ?? null),
        balance: row?.is_balance ? row.concentration : null,
      });
    }
    return out;
  }, [fields, stored, live]);

  // Every prop a row gets is stable between renders of the form (its dirty flag, the
  // total): typing in one row re-renders no other (FormulaRows.render.test.tsx).
  const onRemove = useCallback((index: number) => remove(index), [remove]);

  const onSave = form.handleSubmit(async (values) => {
    setSavedNotes(null);
    try {
      const result = await save.mutateAsync(values.rows.map(toWrite));
      form.reset({ rows: fromRead(result.items) });
      setLive(null);
      setSavedNotes(result.findings);
    } catch (error) {
      // The edits stay in the form; each refusal is shown at its row and field.
      for (const problem of rowErrors(error)) {
        form.setError(`rows.${problem.row}.${problem.field}`, { type: "server", message: problem.message });
      }
    }
  });

  function onCheck() {
    if (!compliance.data) return;
    const keys = fields.map((field) => field.id);
    check.mutate(
      {
        product_type: compliance.data.product_type,
        children_under_3: compliance.data.children_under_3,
        ingredients: toCheck(form.getValues("rows")),
      },
      { onSuccess: (result) => setLive({ result, keys }) },
    );
  }

  const placed = liveFindings ?? savedFindings;
  const findings = live ? live.result.findings : (compliance.data?.findings ?? []);
  const placedErrors = save.error ? rowErrors(save.error).length : 0;

  return (
    <form onSubmit={(event) => void onSave(event)} noValidate className="space-y-4">
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? t("formula.saving") : t("formula.save")}
        </Button>
        <Button type="button" variant="outline" onClick={() => append(emptyRow(), { shouldFocus: true })}>
          {t("formula.addRow")}
        </Button>
        <Button
          type="button"
          variant="outline"
          onClick={onCheck}
          disabled={!compliance.data || fields.length === 0 || check.isPending}
        >
          {check.isPending ? t("formula.checking") : t("formula.checkEdits")}
        </Button>
        {isDirty && <span className="text-sm text-amber-800">{t("formula.unsaved")}</span>}
      </div>

      {save.isError && (
        <Alert tone="error">
          {errorMessage(t, save.error)}
          {placedErrors > 0 && <span className="ml-1">{t("formula.seeRows", { count: placedErrors })}</span>}
        </Alert>
      )}
      {savedNotes && (
        <Alert tone="success">
          {t("formula.saved")}
          {savedNotes.length > 0 && (
            <ul className="mt-1 list-disc pl-5">
              {savedNotes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          )}
        </Alert>
      )}
      {check.isError && <Alert tone="error">{errorMessage(t, check.error)}</Alert>}

      <FormulaTotal control={form.control} />

      {compliance.isError ? (
        <LoadError error={compliance.error} onRetry={() => void compliance.refetch()} />
      ) : (
        <FormulaFindings
          pending={compliance.isPending}
          live={live !== null}
          findings={findings}
          general={placed.general}
        />
      )}

      <div className="relative overflow-x-auto">
        <table className="w-full min-w-[56rem] text-left text-sm">
          <caption className="sr-only">{t("formula.caption")}</caption>
          <thead className="border-b border-slate-200 text-slate-600">
            <tr>
              <th scope="col" className="py-2 pr-2 font-medium">#</th>
              <th scope="col" className="px-1 py-2 font-medium">{t("formula.column.name")}</th>
              <th scope="col" className="px-1 py-2 font-medium">{t("formula.column.zhName")}</th>
              <th scope="col" className="px-1 py-2 font-medium">{t("formula.column.cas")}</th>
              <th scope="col" className="px-1 py-2 font-medium">{t("formula.column.concentration")}</th>
              <th scope="col" className="px-1 py-2 font-medium">{t("formula.column.function")}</th>
              <th scope="col" className="px-1 py-2 font-medium">{t("formula.column.match")}</th>
              <th scope="col" className="px-1 py-2 font-medium">{t("formula.column.confidence")}</th>
              <th scope="col" className="py-2 pl-1 font-medium">
                <span className="sr-only">{t("formula.column.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {fields.map((field, index) => (
              <FormulaRow
                key={field.id}
                index={index}
                fieldKey={field.id}
                register={form.register}
                meta={meta.get(field.id)}
                findings={live ? placed.byKey.get(field.id) : field.rowId ? placed.byKey.get(field.rowId) : undefined}
                errors={errors.rows?.[index]}
                onRemove={onRemove}
              />
            ))}
          </tbody>
        </table>
      </div>
      {fields.length === 0 && <p className="text-sm text-slate-600">{t("formula.noRows")}</p>}
      <p className="text-xs text-slate-600">{t("formula.hint")}</p>
    </form>
  );
}
