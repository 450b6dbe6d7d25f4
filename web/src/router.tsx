import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { z } from "zod";

import { meQuery } from "@/api/queries";
import { ensureToken } from "@/api/session";
import { AppLayout } from "@/pages/AppLayout";
import { TABS } from "@/pages/analysis/tabs";
import { DashboardPage } from "@/pages/Dashboard";
import { ForgotPasswordPage, SetPasswordPage, VerifyEmailPage } from "@/pages/Passwords";
import { ProductPifPage } from "@/pages/ProductPif";
import { ProductsPage } from "@/pages/Products";
import { RegisterPage } from "@/pages/Register";
import { SignInPage } from "@/pages/SignIn";

// The screens a session reaches after the dashboard and the products load on demand, each
// its own chunk (the sign-in, dashboard, products and PIF builder are in the first).
const AnalysisPage = lazyRouteComponent(() => import("@/pages/analysis/AnalysisPage"), "AnalysisPage");
const FormulaPage = lazyRouteComponent(() => import("@/pages/formula/FormulaPage"), "FormulaPage");
const AcceptInvitationPage = lazyRouteComponent(() => import("@/pages/org/AcceptInvitation"), "AcceptInvitationPage");
const OrgPage = lazyRouteComponent(() => import("@/pages/org/OrgPage"), "OrgPage");
const PifItemPage = lazyRouteComponent(() => import("@/pages/pif-item/PifItemPage"), "PifItemPage");
const SaPendingPage = lazyRouteComponent(() => import("@/pages/sa/SaPending"), "SaPendingPage");
const SaReviewPage = lazyRouteComponent(() => import("@/pages/sa/SaReview"), "SaReviewPage");
const SecurityPage = lazyRouteComponent(() => import("@/pages/Security"), "SecurityPage");

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

// The screens the API's e-mails link to (pifai/services/auth/email_tokens.py: /login,
// /verify-email, /reset-password, /accept-invite, /forgot-password).
const tokenSearch = z.object({ token: z.string().max(200).optional().catch(undefined) });

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/login",
  beforeLoad: () => {
    throw redirect({ to: "/sign-in" });
  },
});

const registerRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/register",
  component: RegisterPage,
});

const forgotPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/forgot-password",
  component: ForgotPasswordPage,
});

const resetPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/reset-password",
  validateSearch: tokenSearch,
  component: function ResetPasswordRoute() {
    return <SetPasswordPage purpose="reset" token={resetPasswordRoute.useSearch().token ?? ""} />;
  },
});

const acceptInviteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/accept-invite",
  validateSearch: tokenSearch,
  component: function AcceptInviteRoute() {
    return <SetPasswordPage purpose="invite" token={acceptInviteRoute.useSearch().token ?? ""} />;
  },
});

const verifyEmailRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/verify-email",
  validateSearch: tokenSearch,
  component: function VerifyEmailRoute() {
    return <VerifyEmailPage token={verifyEmailRoute.useSearch().token ?? ""} />;
  },
});

// Every screen but those above: a session (the in-memory token, or a refresh through the
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
  validateSearch: z.object({
    q: z.string().max(200).optional().catch(undefined),
    status: z
      .enum(["draft", "in_review", "revision_requested", "signed", "archived"])
      .optional()
      .catch(undefined),
    offset: z.number().int().min(0).optional().catch(undefined),
  }),
  component: function ProductsRoute() {
    const filters = productsRoute.useSearch();
    // A new search starts the form from the URL again; paging keeps it.
    return <ProductsPage key={`${filters.q ?? ""}|${filters.status ?? ""}`} filters={filters} />;
  },
});

const productRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/products/$productId",
  validateSearch: z.object({ by: z.enum(["stage"]).optional().catch(undefined) }),
  component: function ProductRoute() {
    const { productId } = productRoute.useParams();
    const { by } = productRoute.useSearch();
    return <ProductPifPage productId={productId} grouping={by ?? "number"} />;
  },
});

const formulaRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/products/$productId/formula",
  component: function FormulaRoute() {
    const { productId } = formulaRoute.useParams();
    return <FormulaPage key={productId} productId={productId} />;
  },
});

const analysisRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/products/$productId/analysis",
  validateSearch: z.object({ tab: z.enum(TABS).optional().catch(undefined) }),
  component: function AnalysisRoute() {
    const { productId } = analysisRoute.useParams();
    const { tab } = analysisRoute.useSearch();
    return <AnalysisPage key={productId} productId={productId} initialTab={tab} />;
  },
});

const pifItemRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/products/$productId/items/$itemNumber",
  component: function PifItemRoute() {
    const { productId, itemNumber } = pifItemRoute.useParams();
    // Not a number: the API's "no such item" (it answers 404 for 0 or 17 too).
    const number = /^\d{1,2}$/.test(itemNumber) ? Number(itemNumber) : 0;
    return <PifItemPage key={`${productId}/${number}`} productId={productId} itemNumber={number} />;
  },
});

const securityRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/account/security",
  component: SecurityPage,
});

const orgRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/org",
  component: OrgPage,
});

// Where the assessor invitation e-mail links to (pifai/services/sa/grants.py).
const saInvitationRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/sa/invitations",
  validateSearch: tokenSearch,
  component: function SaInvitationRoute() {
    return <AcceptInvitationPage token={saInvitationRoute.useSearch().token ?? ""} />;
  },
});

const saPendingRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/sa",
  component: SaPendingPage,
});

const saReviewRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/sa/reviews/$reviewId",
  component: function SaReviewRoute() {
    const { reviewId } = saReviewRoute.useParams();
    return <SaReviewPage key={reviewId} reviewId={reviewId} />;
  },
});

const routeTree = rootRoute.addChildren([
  signInRoute,
  loginRoute,
  registerRoute,
  forgotPasswordRoute,
  resetPasswordRoute,
  acceptInviteRoute,
  verifyEmailRoute,
  appRoute.addChildren([
    dashboardRoute,
    productsRoute,
    productRoute,
    formulaRoute,
    analysisRoute,
    pifItemRoute,
    securityRoute,
    orgRoute,
    saInvitationRoute,
    saPendingRoute,
    saReviewRoute,
  ]),
]);

export function buildRouter(queryClient: QueryClient) {
  return createRouter({ routeTree, context: { queryClient }, defaultPreload: "intent" });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof buildRouter>;
  }
}
