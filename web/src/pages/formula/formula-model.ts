// The formula table's rules that need no React: reading a concentration as typed, the
// total, the rows as the API takes them, a 422 placed at its row and field, and the
// findings grouped by the row they concern.
import { ApiError } from "@/api/errors";
import type {
  Finding,
  FormulaCheckRequest,
  FormulaRowRead,
  FormulaRowWrite,
} from "@/api/formula-queries";

/** One row of the form, every cell as typed. ``rowId``: the stored row it was loaded from. */
export interface FormRow {
  rowId: string | null;
  rawName: string | null;
  name: string;
  /** The operator's Chinese name; empty: the dictionary's (shown as the placeholder). */
  zhName: string;
  cas: string;
  concentration: string;
  function: string;
}

export interface FormValues {
  rows: FormRow[];
}

export const FIELDS = ["name", "zhName", "cas", "concentration", "function"] as const;
export type Field = (typeof FIELDS)[number];

/** The API's tolerance on the total (pifai.ai.ingredient_validator TOTAL_TOLERANCE). */
export const TOTAL_TOLERANCE = 2;

const BALANCE = /^(q\.?\s*s\.?|ad\s*100\s*%?|to\s*100\s*%?|up\s*to\s*100\s*%?|balance|bal\.?|餘量|適量|加至\s*100\s*%?)$/i;
const NUMBER = /^\d+(\.\d+)?\s*%?$/;
const COMMA_NUMBER = /^\d+,\d+\s*%?$/;

export type Concentration =
  | { kind: "empty" }
  | { kind: "number"; value: number }
  | { kind: "balance" }
  | { kind: "text" }; // "<0.1", "50 ppm", ...: the API reads it on save

export function parseConcentration(text: string): Concentration {
  const value = text.trim();
  if (!value) return { kind: "empty" };
  if (BALANCE.test(value)) return { kind: "balance" };
  if (NUMBER.test(value) || COMMA_NUMBER.test(value)) {
    return { kind: "number", value: Number(value.replace("%", "").replace(",", ".").trim()) };
  }
  return { kind: "text" };
}

export interface Total {
  /** The sum, a balance row counted as the remainder to 100 %; null with nothing to sum. */
  total: number | null;
  /** The remainder a balance row ("q.s.") takes, when there is one. */
  balance: number | null;
  /** Rows whose concentration is empty or text the console cannot sum. */
  unread: number;
  ok: boolean;
}

export function formulaTotal(concentrations: readonly string[]): Total {
  let sum = 0;
  let given = 0;
  let balances = 0;
  let unread = 0;
  for (const text of concentrations) {
    const parsed = parseConcentration(text);
    if (parsed.kind === "number") {
      sum += parsed.value;
      given += 1;
    } else if (parsed.kind === "balance") balances += 1;
    else unread += 1;
  }
  const balance = balances > 0 ? Math.max(0, 100 - sum) : null;
  if (given === 0 && balance === null) return { total: null, balance, unread, ok: false };
  const total = round(sum + (balance ?? 0));
  return { total, balance, unread, ok: Math.abs(total - 100) <= TOTAL_TOLERANCE };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export function fromRead(rows: readonly FormulaRowRead[]): FormRow[] {
  return rows.map((row) => ({
    rowId: row.id,
    rawName: row.raw_name,
    name: row.inci,
    zhName: row.zh_name_source === "operator" ? (row.zh_name ?? "") : "",
    cas: row.cas ?? "",
    // A balance row stays a balance row: its stored figure is the remainder.
    concentration: row.is_balance ? "q.s." : row.concentration === null ? "" : String(row.concentration),
    function: row.function ?? "",
  }));
}

export function emptyRow(): FormRow {
  return { rowId: null, rawName: null, name: "", zhName: "", cas: "", concentration: "", function: "" };
}

/** A row for PUT .../ingredients: a plain number as a number, anything else as typed. */
export function toWrite(row: FormRow): FormulaRowWrite {
  const concentration = row.concentration.trim();
  return {
    name: row.name.trim(),
    raw_name: row.rawName,
    zh_name: row.zhName.trim() || null,
    cas: row.cas.trim() || null,
    concentration: !concentration ? null : NUMBER.test(concentration) && !concentration.includes("%") ? Number(concentration) : concentration,
    function: row.function.trim() || null,
  };
}

/** The rows for POST /ingredients/check-formula: concentrations the console can read
 * (a balance row as the remainder), others unknown. */
export function toCheck(rows: readonly FormRow[]): FormulaCheckRequest["ingredients"] {
  const { balance } = formulaTotal(rows.map((r) => r.concentration));
  return rows.map((row) => {
    const parsed = parseConcentration(row.concentration);
    const pct =
      parsed.kind === "number" && parsed.value <= 100
        ? parsed.value
        : parsed.kind === "balance"
          ? balance
          : null;
    return {
      name: row.name.trim() || null,
      cas: row.cas.trim() || null,
      concentration_pct: pct,
      function: row.function.trim() || null,
    };
  });
}

export interface RowError {
  row: number;
  field: Field;
  message: string;
}

const FIELD_OF: Record<string, Field> = {
  name: "name",
  raw_name: "name",
  zh_name: "zhName",
  cas: "cas",
  concentration: "concentration",
  function: "function",
};

/** The row errors of a 422: the service's {row, field, message} (formula_rows_invalid)
 * and the request validation's {loc: ["body", "rows", i, field], msg}. */
export function rowErrors(error: unknown): RowError[] {
  if (!(error instanceof ApiError) || error.status !== 422 || !Array.isArray(error.details)) {
    return [];
  }
  const out: RowError[] = [];
  for (const entry of error.details as Record<string, unknown>[]) {
    if (typeof entry.row === "number" && typeof entry.field === "string") {
      const field = FIELD_OF[entry.field];
      if (field) out.push({ row: entry.row, field, message: String(entry.message ?? "") });
    } else if (Array.isArray(entry.loc) && entry.loc[1] === "rows" && typeof entry.loc[2] === "number") {
      const field = FIELD_OF[String(entry.loc[3] ?? "name")] ?? "name";
      out.push({ row: entry.loc[2], field, message: String(entry.msg ?? "") });
    }
  }
  return out;
}

export interface PlacedFindings {
  byKey: Map<string, Finding[]>;
  /** Findings that name no row the table shows. */
  general: Finding[];
}

/** Findings by the key of the row they concern: ``keys[i]`` is the key of the i-th row
 * checked (a stored row's id, or the form row's key for a live check). */
export function placeFindings(findings: readonly Finding[], keys: readonly string[]): PlacedFindings {
  const byKey = new Map<string, Finding[]>();
  const general: Finding[] = [];
  for (const finding of findings) {
    const rowKeys = (finding.rows ?? []).flatMap((i) => keys[i] ?? []);
    if (rowKeys.length === 0) general.push(finding);
    for (const key of rowKeys) byKey.set(key, [...(byKey.get(key) ?? []), finding]);
  }
  return { byKey, general };
}
