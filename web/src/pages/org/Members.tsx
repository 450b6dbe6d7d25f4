import type { TFunction } from "i18next";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { Schemas } from "@/api/client";
import { ApiError } from "@/api/errors";
import {
  type Member,
  type MemberChange,
  membersQuery,
  ORG_PAGE_SIZE,
  type Role,
  resendInvitation,
  ROLES,
  updateMember,
} from "@/api/org-queries";
import { meQuery } from "@/api/queries";
import { Loading, LoadError } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { Select } from "@/components/ui/input";
import { errorMessage } from "@/lib/error-message";

import { InviteForm } from "./InviteForm";
import { Pager } from "./Pager";

type Me = Schemas["UserOut"];

const STATUS_TONE: Record<Member["status"], string> = {
  active: "bg-emerald-50 text-emerald-800",
  invited: "bg-amber-50 text-amber-900",
  deactivated: "bg-slate-100 text-slate-700",
};

// Deactivating an invited member withdraws the invitation (its link stops working).
const ACTION = {
  active: "deactivate",
  invited: "withdraw",
  deactivated: "reactivate",
} as const satisfies Record<Member["status"], string>;

/** The organisation's members; owners and admins also invite, change roles, deactivate. */
export function Members({ me, manager }: { me: Me; manager: boolean }) {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const members = useQuery(membersQuery(offset));

  return (
    <Card className="space-y-4">
      <CardTitle>{t("org.members.title")}</CardTitle>
      {!manager && <p className="text-sm text-slate-600">{t("org.members.readOnly")}</p>}
      {members.isPending ? (
        <Loading />
      ) : members.isError ? (
        <LoadError error={members.error} onRetry={() => void members.refetch()} />
      ) : members.data.items.length === 0 ? (
        <p className="text-sm text-slate-600">{t("org.members.empty")}</p>
      ) : (
        <>
          <DataTable
            columns={[
              t("org.members.name"),
              t("org.members.role"),
              t("org.members.status"),
              t("org.members.twoFactor"),
              manager && t("org.members.actions"),
            ]}
          >
            {members.data.items.map((member) => (
              <MemberRow key={member.id} member={member} me={me} manager={manager} />
            ))}
          </DataTable>
          <Pager
            total={members.data.total}
            offset={offset}
            pageSize={ORG_PAGE_SIZE}
            onChange={setOffset}
          />
        </>
      )}
      {manager && <InviteForm actorRole={me.role} />}
    </Card>
  );
}

/** Who may change whom, as the API has it: nobody their own row here (an owner could
 * lock themselves out), only an owner an owner. */
function editable(me: Me, member: Member): boolean {
  if (member.id === me.id) return false;
  return member.role !== "owner" || me.role === "owner";
}

function changeError(t: TFunction, error: unknown): string {
  if (error instanceof ApiError && error.code === "last_owner") return t("org.members.lastOwner");
  if (error instanceof ApiError && error.status === 403) return t("org.members.forbidden");
  return errorMessage(t, error);
}

function MemberRow({ member, me, manager }: { member: Member; me: Me; manager: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [role, setRole] = useState<Role>(member.role);
  const change = useMutation({
    mutationFn: (body: MemberChange) => updateMember(member.id, body),
    onSuccess: async (updated) => {
      setRole(updated.role);
      await queryClient.invalidateQueries({ queryKey: ["org-members"] });
      // Our own role comes from /me: a change there changes what this screen offers.
      if (updated.id === me.id) await queryClient.invalidateQueries({ queryKey: meQuery.queryKey });
    },
  });
  const resend = useMutation({ mutationFn: () => resendInvitation(member.id) });
  const name = member.full_name || member.email;
  const canEdit = manager && editable(me, member);
  const roles = ROLES.filter((r) => r !== "owner" || me.role === "owner");

  return (
    <tr data-testid={`member-${member.id}`}>
      <td className="py-2 pr-3">
        <span className="font-medium text-slate-900">{member.full_name || "—"}</span>
        {member.id === me.id && (
          <span className="ml-1 text-xs text-slate-600">({t("org.members.you")})</span>
        )}
        <span className="block text-slate-600">{member.email}</span>
      </td>
      <td className="py-2 pr-3">
        {canEdit && member.status !== "deactivated" ? (
          <div className="flex items-center gap-2">
            <Select
              aria-label={t("org.members.roleOf", { name })}
              value={role}
              onChange={(event) => setRole(event.target.value as Role)}
              className="h-8 w-36"
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {t(`org.role.${r}`)}
                </option>
              ))}
            </Select>
            <Button
              size="sm"
              variant="outline"
              disabled={role === member.role || change.isPending}
              onClick={() => change.mutate({ role })}
            >
              {t("org.members.changeRole")}
            </Button>
          </div>
        ) : (
          t(`org.role.${member.role}`)
        )}
      </td>
      <td className="py-2 pr-3">
        <span className={`rounded px-2 py-0.5 text-xs font-medium whitespace-nowrap ${STATUS_TONE[member.status]}`}>
          {t(`org.status.${member.status}`)}
        </span>
      </td>
      <td className="py-2 pr-3">{member.totp_enabled ? t("org.members.on") : t("org.members.off")}</td>
      {manager && (
        <td className="py-2">
          {canEdit ? (
            <Button
              size="sm"
              variant="outline"
              disabled={change.isPending}
              aria-label={`${t(`org.members.${ACTION[member.status]}`)} ${name}`}
              onClick={() => change.mutate({ is_active: member.status === "deactivated" })}
            >
              {t(`org.members.${ACTION[member.status]}`)}
            </Button>
          ) : (
            <span className="text-slate-600">—</span>
          )}
          {canEdit && member.status === "invited" && (
            <Button
              size="sm"
              variant="outline"
              className="ml-2"
              disabled={resend.isPending}
              aria-label={`${t("org.members.resend")} ${name}`}
              onClick={() => resend.mutate()}
            >
              {t("org.members.resend")}
            </Button>
          )}
          {resend.isError && (
            <Alert tone="error" className="mt-2">
              {changeError(t, resend.error)}
            </Alert>
          )}
          {resend.isSuccess && (
            <span role="status" className="ml-2 text-xs text-emerald-800">
              {t("org.members.resent")}
            </span>
          )}
          {change.isError && (
            <Alert tone="error" className="mt-2">
              {changeError(t, change.error)}
            </Alert>
          )}
          {change.isSuccess && (
            <span role="status" className="ml-2 text-xs text-emerald-800">
              {t("org.members.saved")}
            </span>
          )}
        </td>
      )}
    </tr>
  );
}
