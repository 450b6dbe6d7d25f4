import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";

import { acknowledgeClaims, checkClaims, claimsAcknowledgementQuery } from "@/api/analysis-queries";
import type { Schemas } from "@/api/client";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { LoadError } from "@/components/states";
import { errorMessage } from "@/lib/error-message";

import { Badge, VERDICT_TONE } from "./badge";
import { ClaimsResultView } from "./ClaimsResultView";
import type { Verdict } from "./claims-model";

type Origin = "text" | "saved" | "upload";
const ORIGINS: Origin[] = ["text", "saved", "upload"];

interface Checked {
  body: Schemas["ClaimsCheckIn"];
  answer: Schemas["ClaimsCheckOut"];
}

function requestBody(origin: Origin, text: string): Schemas["ClaimsCheckIn"] {
  if (origin === "text") return { label_text: text, from_upload: false };
  return { from_upload: origin === "upload" }; // neither: item 4's saved content
}

/** The label's claims and Art 7 elements checked (advisory), and the answer shown
 * acknowledged exactly as shown (its result_sha256 quoted). */
export function ClaimsSection({ productId }: { productId: string }) {
  const { t, i18n } = useTranslation();
  const [origin, setOrigin] = useState<Origin>("text");
  const [text, setText] = useState("");
  const [checked, setChecked] = useState<Checked | null>(null);
  const client = useQueryClient();
  const stored = useQuery(claimsAcknowledgementQuery(productId));
  const check = useMutation({
    mutationFn: async (body: Schemas["ClaimsCheckIn"]) => ({
      body,
      answer: await checkClaims(productId, body),
    }),
    onSuccess: (value) => {
      setChecked(value);
      acknowledge.reset();
    },
  });
  const acknowledge = useMutation({
    mutationFn: (shown: Checked) =>
      acknowledgeClaims(productId, { ...shown.body, result_sha256: shown.answer.result_sha256 }),
    onSuccess: () =>
      void client.invalidateQueries({ queryKey: claimsAcknowledgementQuery(productId).queryKey }),
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (origin === "text" && !text.trim()) return;
    check.mutate(requestBody(origin, text));
  }

  const record = acknowledge.data;
  return (
    <Card aria-labelledby="claims-title" className="space-y-4">
      <CardTitle id="claims-title">{t("analysis.claims.title")}</CardTitle>
      <p className="text-sm text-slate-600">{t("analysis.claims.advisory")}</p>
      {stored.isError ? (
        <LoadError error={stored.error} onRetry={() => void stored.refetch()} />
      ) : (
        stored.data && <StoredAcknowledgement latest={stored.data.latest} />
      )}
      <form onSubmit={onSubmit} className="space-y-3">
        <fieldset className="space-y-1">
          <legend className="text-sm font-medium text-slate-800">{t("analysis.claims.origin")}</legend>
          <div className="flex flex-wrap gap-4">
            {ORIGINS.map((value) => (
              <label key={value} className="flex items-center gap-2 text-sm text-slate-800">
                <input
                  type="radio"
                  name="claims-origin"
                  value={value}
                  checked={origin === value}
                  onChange={() => setOrigin(value)}
                />
                {t(`analysis.claims.from.${value}`)}
              </label>
            ))}
          </div>
        </fieldset>
        {origin === "text" && (
          <div className="space-y-1">
            <Label htmlFor="claims-label-text">{t("analysis.claims.labelText")}</Label>
            <textarea
              id="claims-label-text"
              value={text}
              onChange={(event) => setText(event.target.value)}
              maxLength={20000}
              rows={6}
              required
              className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-brand-700"
            />
          </div>
        )}
        <Button type="submit" disabled={check.isPending}>
          {check.isPending ? t("analysis.claims.checking") : t("analysis.claims.check")}
        </Button>
      </form>
      {check.isError && <Alert tone="error">{errorMessage(t, check.error)}</Alert>}
      {checked && (
        <div className="space-y-4 border-t border-slate-200 pt-4">
          <ClaimsResultView result={checked.answer.result} />
          <div className="flex flex-wrap items-center gap-3">
            <Button
              variant="outline"
              onClick={() => acknowledge.mutate(checked)}
              disabled={acknowledge.isPending || record !== undefined}
            >
              {t("analysis.claims.acknowledge")}
            </Button>
            {record ? (
              <Alert tone="success">
                {t("analysis.claims.acknowledged", {
                  date: new Date(record.acknowledged_at).toLocaleString(i18n.language),
                  hash: record.result_sha256.slice(0, 12),
                })}
              </Alert>
            ) : (
              <span className="text-xs text-slate-600">{t("analysis.claims.notAcknowledged")}</span>
            )}
          </div>
          {acknowledge.isError && <Alert tone="error">{errorMessage(t, acknowledge.error)}</Alert>}
        </div>
      )}
    </Card>
  );
}

/** What the consistency check goes by: the newest acknowledged answer, or none yet. */
function StoredAcknowledgement({ latest }: { latest: Schemas["ClaimsAcknowledgementOut"] | null }) {
  const { t, i18n } = useTranslation();
  if (!latest) return <p className="text-sm text-slate-700">{t("analysis.claims.noneStored")}</p>;
  const verdict = latest.verdict as Verdict;
  return (
    <p className="flex flex-wrap items-center gap-2 text-sm text-slate-800" data-testid="claims-stored">
      {t("analysis.claims.stored", {
        date: new Date(latest.acknowledged_at).toLocaleString(i18n.language),
        hash: latest.result_sha256.slice(0, 12),
      })}
      <Badge tone={VERDICT_TONE[verdict] ?? "gray"}>
        {t(`analysis.claimVerdict.${verdict}`, { defaultValue: latest.verdict })}
      </Badge>
    </p>
  );
}
