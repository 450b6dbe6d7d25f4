import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";

import { pendingReviewsQuery } from "@/api/sa-queries";
import { ConfidenceBadge } from "@/components/confidence-badge";
import { Loading, LoadError } from "@/components/states";
import { Card, CardTitle } from "@/components/ui/card";

/** The reviews waiting for the Safety Assessor, in the API's order (red confidence first). */
export function SaPendingPage() {
  const { t, i18n } = useTranslation();
  const pending = useQuery(pendingReviewsQuery);
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" });

  if (pending.isPending) return <Loading />;
  if (pending.isError) return <LoadError error={pending.error} onRetry={() => void pending.refetch()} />;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold text-slate-900">{t("sa.pendingTitle")}</h1>
      <Card>
        <CardTitle className="mb-3">{t("sa.pendingCount", { count: pending.data.total })}</CardTitle>
        {pending.data.items.length === 0 ? (
          <p className="text-sm text-slate-600">{t("sa.pendingEmpty")}</p>
        ) : (
          <div className="relative overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="border-b border-slate-200 text-slate-600">
                <tr>
                  <th scope="col" className="py-2 pr-3 font-medium">{t("sa.product")}</th>
                  <th scope="col" className="py-2 pr-3 font-medium">{t("sa.lowestConfidence")}</th>
                  <th scope="col" className="py-2 pr-3 font-medium">{t("sa.status")}</th>
                  <th scope="col" className="py-2 font-medium">{t("sa.submittedAt")}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {pending.data.items.map((review) => (
                  <tr key={review.id} data-testid={`review-${review.id}`}>
                    <td className="py-2 pr-3">
                      <Link
                        to="/sa/reviews/$reviewId"
                        params={{ reviewId: review.id }}
                        className="font-medium text-brand-700 underline"
                      >
                        {review.product_name}
                      </Link>
                      {review.external && (
                        <span className="ml-2 text-xs text-slate-500">({t("sa.external")})</span>
                      )}
                    </td>
                    <td className="py-2 pr-3">
                      <ConfidenceBadge value={review.min_confidence} />
                    </td>
                    <td className="py-2 pr-3">{t(`reviewStatus.${review.status}`)}</td>
                    <td className="py-2">
                      {date.format(new Date(review.submitted_at))}
                      {review.submissions > 1 && (
                        <span className="ml-1 text-xs text-slate-500">
                          ({t("sa.submissions", { count: review.submissions })})
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
