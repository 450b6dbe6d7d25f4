import { useTranslation } from "react-i18next";

import { Alert } from "@/components/ui/alert";

import { Badge, type Tone, VERDICT_TONE } from "./badge";
import { readClaimsResult, type Verdict } from "./claims-model";

const ELEMENT_TONE: Record<string, Tone> = {
  present: "green",
  missing: "red",
  unclear: "amber",
  not_required: "gray",
};

function VerdictBadge({ verdict }: { verdict: Verdict }) {
  const { t } = useTranslation();
  return <Badge tone={VERDICT_TONE[verdict] ?? "gray"}>{t(`analysis.claimVerdict.${verdict}`)}</Badge>;
}

export function ClaimsResultView({ result }: { result: Record<string, unknown> }) {
  const { t, i18n } = useTranslation();
  const read = readClaimsResult(result);
  const en = i18n.language === "en";
  return (
    <div className="space-y-4">
      <p className="flex items-center gap-2 text-sm text-slate-800">
        {t("analysis.claims.overall")}: <VerdictBadge verdict={read.verdict} />
      </p>
      <section aria-labelledby="claims-found-title" className="space-y-2">
        <h3 id="claims-found-title" className="font-semibold text-slate-900">
          {t("analysis.claims.claims")}
        </h3>
        {read.claims.length === 0 ? (
          <Alert tone="info">{t("analysis.claims.empty")}</Alert>
        ) : (
          <ul className="divide-y divide-slate-100">
            {read.claims.map((claim, index) => (
              <li key={`${claim.claim}-${index}`} className="space-y-1 py-2" data-testid={`claim-${index}`}>
                <p className="flex flex-wrap items-center gap-2 text-sm">
                  <VerdictBadge verdict={claim.verdict} />
                  <span className="font-medium text-slate-900">{claim.claim}</span>
                  <span className="text-xs text-slate-600">
                    ({t(`analysis.claims.source.${claim.source}`, { defaultValue: claim.source })})
                  </span>
                </p>
                {claim.matches.length === 0 ? (
                  <p className="text-xs text-slate-700">{t("analysis.claims.noMatch")}</p>
                ) : (
                  <ul className="space-y-1 pl-4 text-xs text-slate-700">
                    {claim.matches.map((match, m) => (
                      <li key={`${match.phrase}-${m}`}>
                        <VerdictBadge verdict={match.verdict} /> 「{match.found || match.phrase}」：
                        {match.reason}
                        <span className="block text-slate-600">
                          {t("analysis.claims.citation")}: {match.citation}（{match.phrase}）
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="claims-elements-title" className="space-y-2">
        <h3 id="claims-elements-title" className="font-semibold text-slate-900">
          {t("analysis.claims.elements")}
        </h3>
        <ul className="grid gap-2 md:grid-cols-2">
          {read.elements.map((element) => (
            <li key={element.key} className="flex items-start gap-2 text-sm" data-testid={`element-${element.key}`}>
              <Badge tone={ELEMENT_TONE[element.status] ?? "gray"}>
                {t(`analysis.elementStatus.${element.status}`, { defaultValue: element.status })}
              </Badge>
              <span>
                <span className="text-slate-900">{en ? element.title : element.requirement}</span>
                <span className="block text-xs text-slate-600">
                  {element.article}
                  {element.found && ` · ${element.found}`}
                </span>
              </span>
            </li>
          ))}
        </ul>
      </section>
      {read.warnings.length > 0 && (
        <section aria-labelledby="claims-warnings-title" className="space-y-2">
          <h3 id="claims-warnings-title" className="font-semibold text-slate-900">
            {t("analysis.claims.warnings")}
          </h3>
          <ul className="space-y-1 text-sm">
            {read.warnings.map((warning, index) => (
              <li key={`${warning.ingredient}-${index}`} className="flex items-start gap-2">
                <Badge tone={ELEMENT_TONE[warning.status] ?? "gray"}>
                  {t(`analysis.elementStatus.${warning.status}`, { defaultValue: warning.status })}
                </Badge>
                <span>
                  {warning.ingredient}：{warning.required_text}
                  {warning.entry && <span className="block text-xs text-slate-600">{warning.entry}</span>}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
