import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { complianceQuery } from "@/api/analysis-queries";
import type { Schemas } from "@/api/client";
import { Loading, LoadError } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Card, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";

import { Badge, FINDING_TONE, num } from "./badge";

type Finding = Schemas["FindingOut"];

function text(source: Finding["source"], key: string): string | null {
  const value = source?.[key];
  return typeof value === "string" && value ? value : null;
}

/** Where a finding comes from: the list's document, its entry and date (the engine's
 * citation line when the entry's details are not given). */
export function FindingCitation({ finding }: { finding: Finding }) {
  const { t } = useTranslation();
  const source = finding.source;
  const document = text(source, "document");
  const entry = text(source, "entry_ref");
  const name = text(source, "entry_name");
  const date = text(source, "date");
  return (
    <div className="space-y-0.5 text-xs text-slate-700">
      {document ? (
        <>
          <p>
            <span className="font-medium">{t("analysis.citation.document")}:</span> {finding.authority}{" "}
            {document}
          </p>
          {(entry || name) && (
            <p>
              <span className="font-medium">{t("analysis.citation.entry")}:</span>{" "}
              {[entry, name].filter(Boolean).join(" · ")}
            </p>
          )}
          {date && (
            <p>
              <span className="font-medium">{t("analysis.citation.date")}:</span> {date}
            </p>
          )}
        </>
      ) : (
        <p>{finding.citation}</p>
      )}
      {finding.data_version && <p className="text-slate-600">{finding.data_version}</p>}
      {finding.verified === false && (
        <p className="font-medium text-amber-900">{t("analysis.unverified")}</p>
      )}
    </div>
  );
}

export function ComplianceSection({ productId }: { productId: string }) {
  const { t } = useTranslation();
  const query = useQuery(complianceQuery(productId));

  return (
    <Card aria-labelledby="compliance-title">
      <CardTitle id="compliance-title" className="mb-3">
        {t("analysis.compliance.title")}
      </CardTitle>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <LoadError error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <ComplianceBody data={query.data} />
      )}
    </Card>
  );
}

function ComplianceBody({ data }: { data: Schemas["ProductComplianceResponse"] }) {
  const { t } = useTranslation();
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-600">
        {t("analysis.compliance.summary", {
          type: t(`productType.${data.product_type}`, { defaultValue: data.product_type }),
          version: data.store_version,
        })}
      </p>
      {data.findings.length === 0 ? (
        <Alert tone="success">{t("analysis.compliance.empty")}</Alert>
      ) : (
        <DataTable
          bodyClassName="align-top"
          columns={[
            t("analysis.compliance.severity"),
            t("analysis.compliance.ingredient"),
            t("analysis.compliance.rule"),
            t("analysis.compliance.citation"),
          ]}
        >
          {data.findings.map((finding, index) => (
            <tr key={`${finding.ingredient}-${finding.rule}-${finding.entry_key ?? index}`}>
              <td className="py-2 pr-3">
                <Badge tone={FINDING_TONE[finding.severity] ?? "gray"}>
                  {t(`analysis.findingSeverity.${finding.severity}`)}
                </Badge>
              </td>
              <td className="py-2 pr-3 font-medium text-slate-900">{finding.ingredient}</td>
              <td className="py-2 pr-3">
                <p className="text-slate-900">{finding.message}</p>
                <p className="text-xs text-slate-600">
                  {finding.rule}
                  {finding.limit_pct !== null &&
                    ` · ${t("analysis.compliance.limit", { limit: num(finding.limit_pct), actual: num(finding.actual_pct) })}`}
                </p>
              </td>
              <td className="py-2">
                <FindingCitation finding={finding} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {data.alerts_total > 0 && (
        <p className="text-sm text-slate-700">
          {t("analysis.compliance.alerts", { count: data.alerts_total })}
        </p>
      )}
    </div>
  );
}
