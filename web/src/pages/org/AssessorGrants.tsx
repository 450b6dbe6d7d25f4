import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import { type Grant, grantsQuery, ORG_PAGE_SIZE, revokeGrant } from "@/api/org-queries";
import { Loading, LoadError } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { errorMessage } from "@/lib/error-message";

import { GrantForm } from "./GrantForm";
import { Pager } from "./Pager";

export const GRANT_TONE: Record<Grant["status"], string> = {
  invited: "bg-amber-50 text-amber-900",
  active: "bg-emerald-50 text-emerald-800",
  revoked: "bg-slate-100 text-slate-700",
};

/** Outside Safety Assessors admitted to review the organisation's products (owners and
 * admins): the grants, a new one by e-mail, and revoking one after a confirmation. */
export function AssessorGrants() {
  const { t, i18n } = useTranslation();
  const [offset, setOffset] = useState(0);
  const grants = useQuery(grantsQuery(offset));
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" });

  return (
    <Card className="space-y-4">
      <CardTitle>{t("org.grants.title")}</CardTitle>
      <p className="text-sm text-slate-600">{t("org.grants.intro")}</p>
      {grants.isPending ? (
        <Loading />
      ) : grants.isError ? (
        <LoadError error={grants.error} onRetry={() => void grants.refetch()} />
      ) : grants.data.items.length === 0 ? (
        <p className="text-sm text-slate-600">{t("org.grants.empty")}</p>
      ) : (
        <>
          <DataTable
            columns={[
              t("org.grants.assessor"),
              t("org.grants.product"),
              t("org.grants.status"),
              t("org.grants.since"),
              t("org.grants.actions"),
            ]}
          >
            {grants.data.items.map((grant) => (
              <tr key={grant.id} data-testid={`grant-${grant.id}`}>
                <td className="py-2 pr-3 break-all">{grant.email}</td>
                <td className="py-2 pr-3">{grant.product_name ?? "—"}</td>
                <td className="py-2 pr-3">
                  <span
                    className={`rounded px-2 py-0.5 text-xs font-medium whitespace-nowrap ${GRANT_TONE[grant.status]}`}
                  >
                    {t(`org.grantStatus.${grant.status}`)}
                  </span>
                  {grant.expires_at && grant.status !== "revoked" && (
                    <span className="block text-xs text-slate-600">
                      {t("org.grants.expires", { date: date.format(new Date(grant.expires_at)) })}
                    </span>
                  )}
                </td>
                <td className="py-2 pr-3">
                  {date.format(new Date(grant.accepted_at ?? grant.created_at))}
                </td>
                <td className="py-2">
                  {grant.status === "revoked" ? (
                    <span className="text-slate-600">
                      {grant.revoked_at ? date.format(new Date(grant.revoked_at)) : "—"}
                    </span>
                  ) : (
                    <RevokeButton grant={grant} />
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
          <Pager
            total={grants.data.total}
            offset={offset}
            pageSize={ORG_PAGE_SIZE}
            onChange={setOffset}
          />
        </>
      )}
      <GrantForm />
    </Card>
  );
}

/** Revoke, asked twice: the assessor loses the product from their next request on. */
function RevokeButton({ grant }: { grant: Grant }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  // Cancelling gives the focus back to the button that asked.
  const [returnFocus, setReturnFocus] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!confirming && returnFocus) button.current?.focus();
  }, [confirming, returnFocus]);
  const revoke = useMutation({
    mutationFn: () => revokeGrant(grant.id),
    onSuccess: async () => {
      setConfirming(false);
      await queryClient.invalidateQueries({ queryKey: ["org-grants"] });
    },
  });
  const what = `${grant.email} · ${grant.product_name ?? ""}`;

  if (!confirming) {
    return (
      <Button
        ref={button}
        size="sm"
        variant="outline"
        aria-label={`${t("org.grants.revoke")} ${what}`}
        onClick={() => setConfirming(true)}
      >
        {t("org.grants.revoke")}
      </Button>
    );
  }
  return (
    <div role="group" aria-label={t("org.grants.confirmLabel")} className="min-w-56 space-y-2">
      <p className="text-sm text-slate-800">
        {t("org.grants.confirm", { email: grant.email, product: grant.product_name ?? "" })}
      </p>
      <div className="flex gap-2">
        <Button
          size="sm"
          className="bg-red-700 hover:bg-red-800"
          autoFocus
          disabled={revoke.isPending}
          onClick={() => revoke.mutate()}
        >
          {t("org.grants.confirmRevoke")}
        </Button>
        <Button
          size="sm"
          variant="outline"
          onClick={() => {
            setReturnFocus(true);
            setConfirming(false);
          }}
        >
          {t("org.grants.cancel")}
        </Button>
      </div>
      {revoke.isError && <Alert tone="error">{errorMessage(t, revoke.error)}</Alert>}
    </div>
  );
}
