import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { myGrantsQuery } from "@/api/org-queries";
import { Loading, LoadError } from "@/components/states";
import { Card, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";

import { AcceptInvitationForm } from "./AcceptInvitation";

/** For a Safety Assessor: the products other organisations admit them to, and accepting
 * a new invitation with the code from its e-mail. */
export function MyGrants() {
  const { t, i18n } = useTranslation();
  const grants = useQuery(myGrantsQuery);
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" });

  return (
    <Card className="space-y-4">
      <CardTitle>{t("org.myGrants.title")}</CardTitle>
      {grants.isPending ? (
        <Loading />
      ) : grants.isError ? (
        <LoadError error={grants.error} onRetry={() => void grants.refetch()} />
      ) : grants.data.length === 0 ? (
        <p className="text-sm text-slate-600">{t("org.myGrants.empty")}</p>
      ) : (
        <DataTable columns={[t("org.grants.product"), t("org.myGrants.accepted"), t("org.myGrants.expires")]}>
          {grants.data.map((grant) => (
            <tr key={grant.id}>
              <td className="py-2 pr-3">{grant.product_name ?? "—"}</td>
              <td className="py-2 pr-3">
                {grant.accepted_at ? date.format(new Date(grant.accepted_at)) : "—"}
              </td>
              <td className="py-2">
                {grant.expires_at
                  ? date.format(new Date(grant.expires_at))
                  : t("org.myGrants.untilRevoked")}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <AcceptInvitationForm />
    </Card>
  );
}
