import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";

import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import { AuthShell, AuthTitle } from "@/components/auth-shell";
import { describedBy, Field } from "@/components/field";
import { fieldText } from "@/components/form-text";
import { Loading } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { errorMessage } from "@/lib/error-message";

import { type EmailForm, emailSchema, type NewPasswordForm, newPasswordSchema } from "./account-forms";

function SignInLink() {
  const { t } = useTranslation();
  return (
    <Button asChild className="w-full">
      <Link to="/sign-in">{t("signIn.submit")}</Link>
    </Button>
  );
}

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const form = useForm<EmailForm>({ resolver: zodResolver(emailSchema), defaultValues: { email: "" } });
  const request = useMutation({
    mutationFn: async ({ email }: EmailForm) =>
      unwrap(await api.POST("/api/v1/auth/forgot-password", { body: { email } })),
  });
  const error = fieldText(t, form.formState.errors.email);
  return (
    <AuthShell>
      {request.isSuccess ? (
        <div className="space-y-4">
          <AuthTitle title={t("forgot.title")} />
          <Alert tone="success">{t("forgot.sent")}</Alert>
          <SignInLink />
        </div>
      ) : (
        <form
          className="space-y-4"
          noValidate
          onSubmit={form.handleSubmit((values) => request.mutate(values))}
        >
          <AuthTitle title={t("forgot.title")} subtitle={t("forgot.subtitle")} />
          {request.isError && <Alert tone="error">{errorMessage(t, request.error)}</Alert>}
          <Field id="forgot-email" label={t("signIn.email")} error={error}>
            <Input
              id="forgot-email"
              type="email"
              autoComplete="email"
              aria-invalid={!!error}
              aria-describedby={describedBy("forgot-email", error)}
              {...form.register("email")}
            />
          </Field>
          <Button type="submit" className="w-full" disabled={request.isPending}>
            {t("forgot.submit")}
          </Button>
        </form>
      )}
    </AuthShell>
  );
}

/** The page a mailed link opens: a new password for a reset, the first for an invitation. */
export function SetPasswordPage({
  token,
  purpose,
}: {
  token: string;
  purpose: "reset" | "invite";
}) {
  const { t } = useTranslation();
  const form = useForm<NewPasswordForm>({
    resolver: zodResolver(newPasswordSchema),
    defaultValues: { password: "", confirm: "" },
  });
  const path = purpose === "reset" ? "/api/v1/auth/reset-password" : "/api/v1/auth/accept-invite";
  const save = useMutation({
    mutationFn: async ({ password }: NewPasswordForm) =>
      unwrap(await api.POST(path, { body: { token, new_password: password } })),
  });
  const { errors } = form.formState;
  const passwordError = fieldText(t, errors.password);
  const confirmError = fieldText(t, errors.confirm);
  const title = purpose === "reset" ? t("setPassword.resetTitle") : t("setPassword.inviteTitle");

  if (!token) {
    return (
      <AuthShell>
        <AuthTitle title={title} />
        <Alert tone="error" className="mt-4">
          {t("errors.invalid_token")}
        </Alert>
      </AuthShell>
    );
  }
  return (
    <AuthShell>
      {save.isSuccess ? (
        <div className="space-y-4">
          <AuthTitle title={title} />
          <Alert tone="success">
            {purpose === "reset" ? t("setPassword.resetDone") : t("setPassword.inviteDone")}
          </Alert>
          <SignInLink />
        </div>
      ) : (
        <form
          className="space-y-4"
          noValidate
          onSubmit={form.handleSubmit((values) => save.mutate(values))}
        >
          <AuthTitle title={title} />
          {save.isError && <Alert tone="error">{errorMessage(t, save.error)}</Alert>}
          <Field
            id="new-password"
            label={t("setPassword.password")}
            help={t("register.passwordHelp")}
            error={passwordError}
          >
            <Input
              id="new-password"
              type="password"
              autoComplete="new-password"
              aria-invalid={!!passwordError}
              aria-describedby={describedBy("new-password", passwordError, "help")}
              {...form.register("password")}
            />
          </Field>
          <Field id="confirm-password" label={t("setPassword.confirm")} error={confirmError}>
            <Input
              id="confirm-password"
              type="password"
              autoComplete="new-password"
              aria-invalid={!!confirmError}
              aria-describedby={describedBy("confirm-password", confirmError)}
              {...form.register("confirm")}
            />
          </Field>
          <Button type="submit" className="w-full" disabled={save.isPending}>
            {t("setPassword.submit")}
          </Button>
        </form>
      )}
    </AuthShell>
  );
}

export function VerifyEmailPage({ token }: { token: string }) {
  const { t } = useTranslation();
  // A query rather than an effect: the token is single-use, and a query is sent once
  // however often the screen renders.
  const verify = useQuery({
    queryKey: ["verify-email", token],
    queryFn: async () =>
      unwrap(await api.POST("/api/v1/auth/verify-email", { body: { token } })),
    enabled: !!token,
    retry: false,
    staleTime: Infinity,
    gcTime: Infinity,
  });
  return (
    <AuthShell>
      <div className="space-y-4">
        <AuthTitle title={t("verifyEmail.title")} />
        {!token && <Alert tone="error">{t("errors.invalid_token")}</Alert>}
        {token && verify.isPending && <Loading />}
        {verify.isError && <Alert tone="error">{errorMessage(t, verify.error)}</Alert>}
        {verify.isSuccess && <Alert tone="success">{t("verifyEmail.done")}</Alert>}
        <SignInLink />
      </div>
    </AuthShell>
  );
}
