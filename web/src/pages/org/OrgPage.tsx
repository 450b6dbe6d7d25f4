import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";

import { meQuery } from "@/api/queries";
import { Loading, LoadError } from "@/components/states";
import { Card, CardTitle } from "@/components/ui/card";

import { AssessorGrants } from "./AssessorGrants";
import { Members } from "./Members";
import { MyGrants } from "./MyGrants";
import { Qualification } from "./Qualification";

/** The organisation: its members, the outside assessors it admits, and for a Safety
 * Assessor the grants they hold and their qualification. */
export function OrgPage() {
  const { t } = useTranslation();
  const me = useQuery(meQuery);

  if (me.isPending) return <Loading />;
  if (me.isError) return <LoadError error={me.error} onRetry={() => void me.refetch()} />;
  const { user, organization } = me.data;
  const manager = user.role === "owner" || user.role === "admin";
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold text-slate-900">{t("org.title")}</h1>
        <p className="text-sm text-slate-600">
          {organization.name} · {t(`organizationType.${organization.type}`)} ·{" "}
          {t("org.yourRole", { role: t(`org.role.${user.role}`) })}
        </p>
      </div>
      <Card className="flex flex-wrap items-center justify-between gap-3 py-4">
        <p className="text-sm text-slate-700">
          {user.totp_enabled ? t("org.twoFactorOn") : t("org.twoFactorOff")}
        </p>
        <Link to="/account/security" className="text-sm font-medium text-brand-700 underline">
          {t("org.securityLink")}
        </Link>
      </Card>
      <Members me={user} manager={manager} />
      {manager && <AssessorGrants />}
      {user.role === "sa" && (
        <>
          <MyGrants />
          <Qualification />
        </>
      )}
      {!manager && user.role !== "sa" && (
        <Card>
          <CardTitle>{t("org.grants.title")}</CardTitle>
          <p className="mt-2 text-sm text-slate-600">{t("org.grants.managersOnly")}</p>
        </Card>
      )}
    </div>
  );
}
