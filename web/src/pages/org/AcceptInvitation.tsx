import type { TFunction } from "i18next";
import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { z } from "zod";

import { ApiError } from "@/api/errors";
import { acceptInvitation, myGrantsQuery } from "@/api/org-queries";
import { meQuery } from "@/api/queries";
import { describedBy, Field } from "@/components/field";
import { Loading, LoadError } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { errorMessage } from "@/lib/error-message";

// AcceptInvitationIn.token: 20 to 200 characters.
const acceptSchema = z.object({ token: z.string().trim().min(20).max(200) });
type AcceptForm = z.input<typeof acceptSchema>;

function acceptError(t: TFunction, error: unknown): string {
  if (error instanceof ApiError && error.code === "invitation_not_found") {
    return t("org.accept.notFound");
  }
  return errorMessage(t, error);
}

/** The invitation code from the e-mail (prefilled when the mailed link brought it). */
export function AcceptInvitationForm({ token = "" }: { token?: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const form = useForm<AcceptForm>({
    resolver: zodResolver(acceptSchema),
    defaultValues: { token },
  });
  const accept = useMutation({
    mutationFn: ({ token: code }: AcceptForm) => acceptInvitation(code.trim()),
    onSuccess: async () => {
      form.reset({ token: "" });
      await queryClient.invalidateQueries({ queryKey: myGrantsQuery.queryKey });
      await queryClient.invalidateQueries({ queryKey: ["sa-pending"] });
    },
  });
  const tokenError = form.formState.errors.token && t("org.accept.invalidCode");

  return (
    <form
      noValidate
      aria-labelledby="accept-title"
      className="space-y-4 border-t border-slate-200 pt-4"
      onSubmit={form.handleSubmit((values) => accept.mutate(values))}
    >
      <h3 id="accept-title" className="text-base font-semibold text-slate-900">
        {t("org.accept.title")}
      </h3>
      {accept.isError && <Alert tone="error">{acceptError(t, accept.error)}</Alert>}
      {accept.isSuccess && (
        <Alert tone="success">
          {t("org.accept.done", {
            products: accept.data.map((g) => g.product_name ?? "").join("、"),
          })}
        </Alert>
      )}
      <div className="max-w-xl">
        <Field
          id="accept-token"
          label={t("org.accept.code")}
          help={t("org.accept.codeHelp")}
          error={tokenError}
        >
          <Input
            id="accept-token"
            autoComplete="off"
            spellCheck={false}
            className="font-mono"
            aria-invalid={!!tokenError}
            aria-describedby={describedBy("accept-token", tokenError, t("org.accept.codeHelp"))}
            {...form.register("token")}
          />
        </Field>
      </div>
      <Button type="submit" disabled={accept.isPending}>
        {t("org.accept.submit")}
      </Button>
    </form>
  );
}

/** /sa/invitations?token=…: where the assessor invitation e-mail links to. */
export function AcceptInvitationPage({ token }: { token: string }) {
  const { t } = useTranslation();
  const me = useQuery(meQuery);

  if (me.isPending) return <Loading />;
  if (me.isError) return <LoadError error={me.error} onRetry={() => void me.refetch()} />;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold text-slate-900">{t("org.accept.pageTitle")}</h1>
      <Card className="max-w-2xl space-y-4">
        <CardTitle>{t("org.accept.signedInAs", { email: me.data.user.email })}</CardTitle>
        {me.data.user.role === "sa" ? (
          <AcceptInvitationForm token={token} />
        ) : (
          <Alert tone="info">{t("org.accept.notSa")}</Alert>
        )}
        <Link to="/org" className="text-sm font-medium text-brand-700 underline">
          {t("org.accept.toOrg")}
        </Link>
      </Card>
    </div>
  );
}
