import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";

import { ApiError } from "@/api/errors";
import { reviewQuery } from "@/api/sa-queries";
import { Loading, LoadError } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Card, CardTitle } from "@/components/ui/card";
import { cn } from "@/lib/utils";

import { consistencyAlerts, inLanguage, type ConsistencyAlert } from "./review-model";
import { ReviewFormCard } from "./ReviewForm";

const SEVERITY_TONE = {
  blocking: "border-red-300 bg-red-50",
  error: "border-amber-300 bg-amber-50",
  warning: "border-slate-300 bg-slate-50",
} as const;

/** One review: the consistency alerts (blocking ones are why signing is refused), the
 * engine's draft beside the SA's final assessment, the 16 items with their comments. */
export function SaReviewPage({ reviewId }: { reviewId: string }) {
  const { t, i18n } = useTranslation();
  const review = useQuery(reviewQuery(reviewId));

  if (review.error instanceof ApiError && review.error.status === 404) {
    return (
      <div className="space-y-4">
        <Alert tone="error">{t("sa.reviewNotFound")}</Alert>
        <Link to="/sa" className="text-sm text-brand-700 underline">
          {t("sa.backToQueue")}
        </Link>
      </div>
    );
  }
  if (review.isPending) return <Loading />;
  if (review.isError) return <LoadError error={review.error} onRetry={() => void review.refetch()} />;

  const data = review.data;
  const alerts = consistencyAlerts(data);
  const blocking = alerts.filter((alert) => alert.severity === "blocking");
  return (
    <div className="space-y-6">
      <div>
        <Link to="/sa" className="text-sm text-brand-700 underline">
          {t("sa.backToQueue")}
        </Link>
        <h1 className="mt-2 text-2xl font-semibold text-slate-900">{data.product_name}</h1>
        <p className="text-sm text-slate-600">
          {t(`reviewStatus.${data.status}`)} · {t("sa.submissions", { count: data.submissions })}
          {data.external && ` · ${t("sa.external")}`}
        </p>
      </div>
      {data.signature && (
        <Alert tone="success">
          {t("sa.signedAs", {
            version: data.signature.version_number,
            name: data.signature.signer_name ?? "",
            sha: data.signature.sha256.slice(0, 12),
          })}
        </Alert>
      )}
      {blocking.length > 0 && (
        <Alert tone="error" data-testid="signing-refused">
          <p className="font-medium">{t("sa.signingRefused", { count: blocking.length })}</p>
          <ul className="mt-1 list-disc pl-5">
            {blocking.map((alert, index) => (
              <li key={`${alert.rule_id}-${index}`}>{inLanguage(alert.message, i18n.language)}</li>
            ))}
          </ul>
        </Alert>
      )}
      <Card>
        <CardTitle className="mb-3">{t("sa.alerts")}</CardTitle>
        {alerts.length === 0 ? (
          <p className="text-sm text-slate-600">{t("sa.noAlerts")}</p>
        ) : (
          <ul className="space-y-2">
            {alerts.map((alert, index) => (
              <AlertRow key={`${alert.rule_id}-${index}`} alert={alert} />
            ))}
          </ul>
        )}
      </Card>
      <ReviewFormCard review={data} errorAlerts={alerts.some((a) => a.severity === "error")} />
    </div>
  );
}

function AlertRow({ alert }: { alert: ConsistencyAlert }) {
  const { t, i18n } = useTranslation();
  return (
    <li className={cn("rounded-md border px-3 py-2 text-sm", SEVERITY_TONE[alert.severity])}>
      <span className="mr-2 font-medium">{t(`severity.${alert.severity}`)}</span>
      {inLanguage(alert.message, i18n.language)}
      {alert.items.length > 0 && (
        <span className="ml-2 text-xs text-slate-600">
          {t("sa.alertItems", { items: alert.items.join(", ") })}
        </span>
      )}
      {alert.legal && (
        <span className="block text-xs text-slate-600">{alert.legal.citation}</span>
      )}
    </li>
  );
}
