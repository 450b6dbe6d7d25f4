import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import {
  createMemoryHistory,
  createRootRoute,
  createRoute,
  createRouter,
  Outlet,
  RouterProvider,
} from "@tanstack/react-router";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

/** A task as GET /tasks/{id} answers it. */
export function taskRead(id: string, status: string, progress: number, extra: Record<string, unknown> = {}) {
  return {
    id,
    kind: "report.extract",
    status,
    progress,
    progress_message: null,
    result: null,
    error: null,
    attempts: 1,
    max_attempts: 3,
    next_attempt_at: null,
    cancel_requested: false,
    created_by: null,
    created_at: "2026-12-02T08:00:00Z",
    started_at: null,
    finished_at: null,
    ...extra,
  };
}

/** The task list's answer when nothing runs for what a screen shows. */
export const NO_TASKS = { items: [], total: 0, limit: 50, offset: 0 };

/** A screen at `/` inside a router (with the paths its links name) and a query cache. */
export function renderScreen(element: ReactNode) {
  const root = createRootRoute({ component: Outlet });
  const page = createRoute({ getParentRoute: () => root, path: "/", component: () => element });
  const others = [
    "/sign-in",
    "/products",
    "/products/$productId",
    "/products/$productId/analysis",
    "/products/$productId/formula",
    "/products/$productId/items/$itemNumber",
    "/register",
    "/forgot-password",
    "/sa",
    "/sa/reviews/$reviewId",
    "/account/security",
    "/org",
  ].map((path) =>
    createRoute({ getParentRoute: () => root, path }),
  );
  const router = createRouter({
    routeTree: root.addChildren([page, ...others]),
    history: createMemoryHistory({ initialEntries: ["/"] }),
  });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}
