import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { api } from "@/api/client";
import { ApiError, unwrap } from "@/api/errors";
import { productReviewQuery } from "@/api/sa-queries";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/error-message";

interface BlockingItem {
  item_number: number;
  status: string;
}

/** The items a 409 `items_not_ready` names (its details carry them). */
export function blockingItems(error: unknown): BlockingItem[] {
  if (!(error instanceof ApiError) || error.code !== "items_not_ready") return [];
  const listed = (error.details as { blocking_items?: unknown } | null)?.blocking_items;
  return Array.isArray(listed) ? (listed as BlockingItem[]) : [];
}

/** Where the product's review stands, what the SA asked for, and the submission. */
export function SubmitReview({ productId }: { productId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const current = useQuery(productReviewQuery(productId));
  const submit = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/products/{product_id}/pif/submit-review", {
          params: { path: { product_id: productId } },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["product", productId] });
      await queryClient.invalidateQueries({ queryKey: ["products"] });
      await queryClient.invalidateQueries({ queryKey: ["product-review", productId] });
    },
  });
  const blocking = blockingItems(submit.error);

  const review = current.data?.review;
  const asked = review?.status === "revision_requested"
    ? (current.data?.comments ?? []).filter((comment) => comment.kind === "revision")
    : [];

  return (
    <div className="space-y-2">
      {review && (
        <p className="text-sm text-slate-700" data-testid="review-state">
          {t("review.state", {
            status: t(`reviewStatus.${review.status}`),
            count: review.submissions,
          })}
        </p>
      )}
      {asked.length > 0 && (
        <Alert tone="info">
          <p className="font-medium">{t("review.revisionAsked")}</p>
          <ul className="list-disc pl-5">
            {asked.map((comment) => (
              <li key={comment.id}>
                {comment.item_number !== null &&
                  `${t("review.itemLabel", { item: comment.item_number })}: `}
                {comment.body}
                {comment.author_name && ` (${comment.author_name})`}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      <Button onClick={() => submit.mutate()} disabled={submit.isPending}>
        {t("review.submit")}
      </Button>
      {submit.isSuccess && <Alert tone="success">{t("review.submitted")}</Alert>}
      {submit.isError && (
        <Alert tone="error">
          <p>{errorMessage(t, submit.error)}</p>
          {blocking.length > 0 && (
            <>
              <p className="mt-1">{t("review.blockingItems")}</p>
              <ul className="list-disc pl-5" data-testid="blocking-items">
                {blocking.map((item) => (
                  <li key={item.item_number}>
                    {item.item_number} ·{" "}
                    {t(`itemStatus.${item.status}` as "itemStatus.missing", { defaultValue: item.status })}
                  </li>
                ))}
              </ul>
            </>
          )}
        </Alert>
      )}
    </div>
  );
}
