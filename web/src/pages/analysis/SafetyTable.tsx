import { useTranslation } from "react-i18next";

import type { Schemas } from "@/api/client";

import { Badge, num } from "./badge";

type Row = Schemas["SafetyIngredient"];

export interface CitedSource {
  document: string;
  entry: string | null;
  year: number | null;
  url: string | null;
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** Every source the engine cites in a row's inputs ({"source": {document, entry, year,
 * url}} at any depth, e.g. the NOAEL's opinion, the read-across analogue's, the DAp's),
 * each once. */
export function rowSources(row: Row): CitedSource[] {
  const found = new Map<string, CitedSource>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(visit);
    const record = asRecord(value);
    if (!record) return;
    const source = asRecord(record.source);
    if (source && typeof source.document === "string") {
      const cited: CitedSource = {
        document: source.document,
        entry: typeof source.entry === "string" ? source.entry : null,
        year: typeof source.year === "number" ? source.year : null,
        url: typeof source.url === "string" ? source.url : null,
      };
      found.set(`${cited.document}|${cited.entry ?? ""}|${cited.year ?? ""}`, cited);
    }
    Object.entries(record).forEach(([key, inner]) => key !== "source" && visit(inner));
  };
  visit(row.inputs);
  visit(row.dap);
  return [...found.values()];
}

function PassBadge({ passed }: { passed: boolean | null }) {
  const { t } = useTranslation();
  if (passed === null) return <Badge tone="gray">{t("analysis.safety.notCompared")}</Badge>;
  return passed ? (
    <Badge tone="green">{t("analysis.safety.pass")}</Badge>
  ) : (
    <Badge tone="red">{t("analysis.safety.fail")}</Badge>
  );
}

/** The MoS table: per ingredient its concentration, SED, point of departure, MoS, whether
 * it passed, the ladder rung that decided and the sources cited. */
export function SafetyTable({ rows }: { rows: Row[] }) {
  const { t } = useTranslation();
  const header = ["ingredient", "concentration", "sed", "pod", "mos", "result", "rung", "sources"] as const;
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full min-w-[56rem] text-left text-sm">
        <caption className="sr-only">{t("analysis.safety.tableCaption")}</caption>
        <thead className="border-b border-slate-200 text-slate-600">
          <tr>
            {header.map((key) => (
              <th key={key} scope="col" className="py-2 pr-3 font-medium">
                {t(`analysis.safety.col.${key}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 align-top">
          {rows.map((row, index) => (
            <tr key={`${row.ingredient}-${index}`} data-testid={`safety-row-${index}`}>
              <th scope="row" className="py-2 pr-3 font-medium text-slate-900">
                {row.ingredient}
                {row.cas && <span className="block text-xs font-normal text-slate-600">CAS {row.cas}</span>}
              </th>
              <td className="py-2 pr-3">{row.concentration_pct === null ? "—" : `${num(row.concentration_pct)}%`}</td>
              <td className="py-2 pr-3">{num(row.sed_mg_per_kg_day)}</td>
              <td className="py-2 pr-3">{num(row.point_of_departure_mg_per_kg_day)}</td>
              <td className="py-2 pr-3 font-medium">{num(row.mos)}</td>
              <td className="py-2 pr-3">
                <PassBadge passed={row.passed} />
              </td>
              <td className="max-w-xs py-2 pr-3">
                <p className="font-medium text-slate-900">
                  {t(`analysis.rung.${row.rung}`, { defaultValue: row.rung_label })}
                </p>
                <p className="text-xs text-slate-700">{row.basis}</p>
                {row.sources_unavailable.map((note) => (
                  <p key={note} className="text-xs font-medium text-amber-900">{note}</p>
                ))}
              </td>
              <td className="max-w-xs py-2 text-xs text-slate-700">
                <SourceList sources={rowSources(row)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-2 text-xs text-slate-600">{t("analysis.safety.units")}</p>
    </div>
  );
}

function SourceList({ sources }: { sources: CitedSource[] }) {
  const { t } = useTranslation();
  if (sources.length === 0) return <span>{t("analysis.safety.noSources")}</span>;
  return (
    <ul className="space-y-1">
      {sources.map((source) => {
        const label = [source.document, source.entry, source.year].filter(Boolean).join(", ");
        return (
          <li key={label}>
            {source.url ? (
              <a href={source.url} target="_blank" rel="noopener noreferrer" className="text-brand-700 underline">
                {label}
              </a>
            ) : (
              label
            )}
          </li>
        );
      })}
    </ul>
  );
}
