import { queryOptions } from "@tanstack/react-query";

import { api, type Schemas } from "./client";
import { unwrap } from "./errors";

export const meQuery = queryOptions({
  queryKey: ["me"],
  queryFn: async () => unwrap(await api.GET("/api/v1/me")),
  staleTime: 5 * 60_000,
});

export type PifStatus = NonNullable<Schemas["ProductOut"]["pif_status"]>;

export interface ProductFilters {
  q?: string;
  status?: PifStatus;
  offset?: number;
}

export const PAGE_SIZE = 20;

export function productsQuery({ q, status, offset = 0 }: ProductFilters = {}, limit = 50) {
  return queryOptions({
    queryKey: ["products", { q, status, offset, limit }],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/products", {
          params: { query: { q: q || null, status: status ?? null, limit, offset } },
        }),
      ),
    placeholderData: (previous) => previous, // paging keeps the old page until the next
  });
}

export function pifOverviewQuery(productId: string) {
  return queryOptions({
    queryKey: ["pif", productId],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/products/{product_id}/pif", {
          params: { path: { product_id: productId } },
        }),
      ),
  });
}

export const exposureCategoriesQuery = queryOptions({
  queryKey: ["exposure-categories"],
  queryFn: async () => unwrap(await api.GET("/api/v1/safety/exposure-categories")),
  staleTime: Infinity, // reference data shipped with the server
});

export const openAlertsQuery = queryOptions({
  queryKey: ["compliance-alerts", { acknowledged: false }],
  queryFn: async () =>
    unwrap(
      await api.GET("/api/v1/compliance/alerts", {
        params: { query: { acknowledged: false, limit: 5 } },
      }),
    ),
});

export const expiringQuery = queryOptions({
  queryKey: ["expiring"],
  queryFn: async () =>
    unwrap(await api.GET("/api/v1/pif/expiring", { params: { query: { limit: 5 } } })),
});

export function productQuery(productId: string) {
  return queryOptions({
    queryKey: ["product", productId],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/products/{product_id}", {
          params: { path: { product_id: productId } },
        }),
      ),
  });
}

export function pifVersionsQuery(productId: string) {
  return queryOptions({
    queryKey: ["pif-versions", productId],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/products/{product_id}/pif-versions", {
          params: { path: { product_id: productId } },
        }),
      ),
  });
}

export function changeDetectionQuery(productId: string) {
  return queryOptions({
    queryKey: ["change-detection", productId],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/products/{product_id}/pif-versions/change-detection", {
          params: { path: { product_id: productId } },
        }),
      ),
  });
}

const RUNNING = new Set(["pending", "processing"]);

/** A background task, polled every two seconds while it runs. */
export interface TaskSubject {
  productId: string;
  itemNumber?: number;
  kind?: string;
}

/** The tasks still queued or running for a product (or one of its items): what a screen
 * follows when it opens, so a reload or a colleague's run is not lost from view. */
export function activeTasksQuery({ productId, itemNumber, kind }: TaskSubject) {
  return queryOptions({
    queryKey: ["tasks", "active", { productId, itemNumber, kind }],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/tasks", {
          params: {
            query: {
              product_id: productId,
              item_number: itemNumber ?? null,
              kind: kind ?? null,
              status: ["pending", "processing"],
            },
          },
        }),
      ),
  });
}

export function taskQuery(taskId: string) {
  return queryOptions({
    queryKey: ["task", taskId],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/tasks/{task_id}", { params: { path: { task_id: taskId } } })),
    refetchInterval: (query) => (RUNNING.has(query.state.data?.status ?? "pending") ? 2000 : false),
  });
}
