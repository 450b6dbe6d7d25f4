import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useNavigate } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";

import { meQuery } from "@/api/queries";
import { signOut } from "@/auth/auth";
import { LanguageSwitch } from "@/components/language-switch";
import { Button } from "@/components/ui/button";

const NAV_LINK =
  "rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-700";

export function AppLayout() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useQuery(meQuery);

  async function onSignOut() {
    await signOut().catch(() => undefined);
    queryClient.clear();
    await navigate({ to: "/sign-in" });
  }

  return (
    <div className="min-h-screen bg-slate-50">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">
        {t("app.skipToContent")}
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-4 px-4 py-3">
          <span className="text-lg font-bold text-brand-800">{t("app.name")}</span>
          <nav aria-label={t("nav.main")} className="flex gap-1">
            <Link
              to="/"
              className={NAV_LINK}
              activeProps={{ "aria-current": "page", className: "bg-brand-50 text-brand-800" }}
              activeOptions={{ exact: true }}
            >
              {t("nav.dashboard")}
            </Link>
            <Link
              to="/products"
              className={NAV_LINK}
              activeProps={{ "aria-current": "page", className: "bg-brand-50 text-brand-800" }}
            >
              {t("nav.products")}
            </Link>
            {me.data?.user.role === "sa" && (
              <Link
                to="/sa"
                className={NAV_LINK}
                activeProps={{ "aria-current": "page", className: "bg-brand-50 text-brand-800" }}
              >
                {t("nav.sa")}
              </Link>
            )}
            <Link
              to="/org"
              className={NAV_LINK}
              activeProps={{ "aria-current": "page", className: "bg-brand-50 text-brand-800" }}
            >
              {t("nav.org")}
            </Link>
            <Link
              to="/account/security"
              className={NAV_LINK}
              activeProps={{ "aria-current": "page", className: "bg-brand-50 text-brand-800" }}
            >
              {t("nav.security")}
            </Link>
          </nav>
          <div className="ml-auto flex items-center gap-3">
            {me.data && (
              <span className="text-sm text-slate-600" data-testid="signed-in-as">
                {me.data.user.full_name} · {me.data.organization.name}
              </span>
            )}
            <LanguageSwitch />
            <Button variant="outline" size="sm" onClick={() => void onSignOut()}>
              {t("nav.signOut")}
            </Button>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        <Outlet />
      </main>
    </div>
  );
}
