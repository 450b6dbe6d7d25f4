import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { LanguageSwitch } from "@/components/language-switch";
import { Card } from "@/components/ui/card";

/** The frame of the screens before signing in: the name, the language, one card. */
export function AuthShell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <main id="main" className="flex min-h-screen items-center justify-center bg-slate-50 p-4">
      <div className="w-full max-w-md space-y-4">
        <div className="flex items-center justify-between">
          <p className="text-xl font-bold text-brand-800">
            {t("app.name")} <span className="text-sm font-normal">{t("app.tagline")}</span>
          </p>
          <LanguageSwitch />
        </div>
        <Card>{children}</Card>
      </div>
    </main>
  );
}

export function AuthTitle({ title, subtitle }: { title: string; subtitle?: string }) {
  return (
    <div>
      <h1 className="text-lg font-semibold text-slate-900">{title}</h1>
      {subtitle && <p className="mt-1 text-sm text-slate-600">{subtitle}</p>}
    </div>
  );
}
