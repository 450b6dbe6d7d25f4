import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";

import { pendingReviewsQuery } from "@/api/sa-queries";
import { ConfidenceBadge } from "@/components/confidence-badge";
import { Loading, LoadError } from "@/components/states";
import { Card, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";

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
          <DataTable columns={[t("sa.product"), t("sa.lowestConfidence"), t("sa.status"), t("sa.submittedAt")]}>
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
          </DataTable>
        )}
      </Card>
    </div>
  );
}
