import "./index.css";
import "./i18n";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { setUnauthorizedHandler } from "@/api/client";
import { ApiError } from "@/api/errors";
import { clearSession } from "@/api/session";
import { buildRouter } from "@/router";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again; a network hiccup may.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});
const router = buildRouter(queryClient);

setUnauthorizedHandler(() => {
  clearSession();
  queryClient.clear();
  if (router.state.location.pathname !== "/sign-in") {
    void router.navigate({
      to: "/sign-in",
      search: { redirect: router.state.location.href, expired: true },
    });
  }
});

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
