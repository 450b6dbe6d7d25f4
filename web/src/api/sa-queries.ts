import { queryOptions } from "@tanstack/react-query";

import { api } from "./client";
import { unwrap } from "./errors";

export const pendingReviewsQuery = queryOptions({
  queryKey: ["sa-pending"],
  queryFn: async () =>
    unwrap(await api.GET("/api/v1/sa/pending", { params: { query: { limit: 100 } } })),
});

export function reviewQuery(reviewId: string) {
  return queryOptions({
    queryKey: ["sa-review", reviewId],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/sa/reviews/{review_id}", {
          params: { path: { review_id: reviewId } },
        }),
      ),
  });
}

/** The product's newest review and its comments, as the organisation's operators see it. */
export function productReviewQuery(productId: string) {
  return queryOptions({
    queryKey: ["product-review", productId],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/products/{product_id}/review", {
          params: { path: { product_id: productId } },
        }),
      ),
  });
}
