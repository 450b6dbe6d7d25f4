import type { TFunction } from "i18next";
import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { z } from "zod";

import type { Schemas } from "@/api/client";
import { ApiError } from "@/api/errors";
import { inviteMember, ROLES } from "@/api/org-queries";
import { describedBy, Field } from "@/components/field";
import { fieldText } from "@/components/form-text";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { errorMessage, fieldErrors } from "@/lib/error-message";

export const inviteSchema = z.object({
  email: z.email({ error: "validation.email" }),
  full_name: z.string().trim().max(200, { error: "validation.tooLong" }),
  role: z.enum(ROLES),
});
type InviteForm = z.input<typeof inviteSchema>;

/** What the invite form says about a refusal: the duplicate address in our words. */
function inviteError(t: TFunction, error: unknown): string {
  if (error instanceof ApiError && error.code === "email_taken") return t("org.invite.emailTaken");
  if (error instanceof ApiError && error.status === 403) return t("org.invite.forbidden");
  return errorMessage(t, error);
}

/** Invite by e-mail with a role; an admin cannot invite an owner (only an owner can). */
export function InviteForm({ actorRole }: { actorRole: Schemas["UserOut"]["role"] }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const form = useForm<InviteForm>({
    resolver: zodResolver(inviteSchema),
    defaultValues: { email: "", full_name: "", role: "member" },
  });
  const invite = useMutation({
    mutationFn: (values: InviteForm) =>
      inviteMember({ ...values, locale: i18n.language === "en" ? "en" : "zh-TW" }),
    onSuccess: async () => {
      form.reset();
      await queryClient.invalidateQueries({ queryKey: ["org-members"] });
    },
  });
  const server = fieldErrors(t, invite.error);
  const emailError = fieldText(t, form.formState.errors.email) ?? server.email;
  const nameError = fieldText(t, form.formState.errors.full_name) ?? server.full_name;
  const roles = ROLES.filter((role) => role !== "owner" || actorRole === "owner");

  return (
    <form
      noValidate
      aria-labelledby="invite-title"
      className="space-y-4 border-t border-slate-200 pt-4"
      onSubmit={form.handleSubmit((values) => invite.mutate(values))}
    >
      <h3 id="invite-title" className="text-base font-semibold text-slate-900">
        {t("org.invite.title")}
      </h3>
      {invite.isError && <Alert tone="error">{inviteError(t, invite.error)}</Alert>}
      {invite.isSuccess && (
        <Alert tone="success">{t("org.invite.sent", { email: invite.data.email })}</Alert>
      )}
      <div className="grid gap-4 md:grid-cols-3">
        <Field id="invite-email" label={t("org.invite.email")} error={emailError}>
          <Input
            id="invite-email"
            type="email"
            autoComplete="off"
            aria-invalid={!!emailError}
            aria-describedby={describedBy("invite-email", emailError)}
            {...form.register("email")}
          />
        </Field>
        <Field id="invite-name" label={t("org.invite.name")} error={nameError}>
          <Input
            id="invite-name"
            autoComplete="off"
            aria-invalid={!!nameError}
            aria-describedby={describedBy("invite-name", nameError)}
            {...form.register("full_name")}
          />
        </Field>
        <Field id="invite-role" label={t("org.invite.role")}>
          <Select id="invite-role" {...form.register("role")}>
            {roles.map((role) => (
              <option key={role} value={role}>
                {t(`org.role.${role}`)}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <Button type="submit" disabled={invite.isPending}>
        {t("org.invite.submit")}
      </Button>
    </form>
  );
}
