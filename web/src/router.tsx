import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { z } from "zod";

import { meQuery } from "@/api/queries";
import { ensureToken } from "@/api/session";
import { AppLayout } from "@/pages/AppLayout";
import { DashboardPage } from "@/pages/Dashboard";
import { ProductsPage } from "@/pages/Products";
import { SignInPage } from "@/pages/SignIn";

interface RouterContext {
  queryClient: QueryClient;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({ component: Outlet });

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/sign-in",
  validateSearch: z.object({
    redirect: z.string().optional().catch(undefined),
    expired: z.boolean().optional().catch(undefined),
  }),
  component: function SignInRoute() {
    const { redirect: target, expired } = signInRoute.useSearch();
    return <SignInPage redirect={target} expired={expired} />;
  },
});

// Every screen but sign-in: a session (the in-memory token, or a refresh through the
// cookie), and the signed-in user loaded before the screen renders.
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  beforeLoad: async ({ context, location }) => {
    if (!(await ensureToken())) {
      throw redirect({ to: "/sign-in", search: { redirect: location.href } });
    }
    await context.queryClient.ensureQueryData(meQuery);
  },
  component: AppLayout,
});

const dashboardRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/",
  component: DashboardPage,
});

const productsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/products",
  validateSearch: z.object({ q: z.string().max(200).optional().catch(undefined) }),
  component: function ProductsRoute() {
    const { q } = productsRoute.useSearch();
    return <ProductsPage key={q ?? ""} q={q ?? ""} />;
  },
});

const routeTree = rootRoute.addChildren([
  signInRoute,
  appRoute.addChildren([dashboardRoute, productsRoute]),
]);

export function buildRouter(queryClient: QueryClient) {
  return createRouter({ routeTree, context: { queryClient }, defaultPreload: "intent" });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof buildRouter>;
  }
}
