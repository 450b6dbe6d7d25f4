import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { z } from "zod";

import { ApiError } from "@/api/errors";
import { signIn } from "@/auth/auth";
import { describedBy, Field } from "@/components/field";
import { AuthShell } from "@/components/auth-shell";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { errorMessage } from "@/lib/error-message";
import { safeRedirect } from "@/lib/redirect";

export const credentialsSchema = z.object({
  email: z.email({ error: "validation.email" }),
  password: z.string().min(1, { error: "validation.required" }).max(256),
});
export const totpSchema = z.object({
  code: z.string().regex(/^\d{6}$/, { error: "validation.totp" }),
});
type CredentialsForm = z.infer<typeof credentialsSchema>;
type TotpForm = z.infer<typeof totpSchema>;

export function SignInPage({ redirect, expired }: { redirect?: string; expired?: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [credentials, setCredentials] = useState<CredentialsForm | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function attempt(values: CredentialsForm, totpCode?: string) {
    setFailure(null);
    try {
      await signIn({ ...values, totpCode });
    } catch (error) {
      if (error instanceof ApiError && error.code === "totp_required") {
        setCredentials(values); // the second step sends them again with the code
        return;
      }
      setFailure(errorMessage(t, error));
      return;
    }
    queryClient.clear();
    await navigate({ to: safeRedirect(redirect) });
  }

  return (
    <AuthShell>
      {expired && !failure && <Alert className="mb-4">{t("signIn.sessionEnded")}</Alert>}
      {failure && (
        <Alert tone="error" className="mb-4">
          {failure}
        </Alert>
      )}
      {credentials ? (
        <TotpStep
          onBack={() => {
            setCredentials(null);
            setFailure(null);
          }}
          onSubmit={(code) => attempt(credentials, code)}
        />
      ) : (
        <CredentialsStep onSubmit={(values) => attempt(values)} />
      )}
    </AuthShell>
  );
}

function CredentialsStep({ onSubmit }: { onSubmit: (values: CredentialsForm) => Promise<void> }) {
  const { t } = useTranslation();
  const form = useForm<CredentialsForm>({
    resolver: zodResolver(credentialsSchema),
    defaultValues: { email: "", password: "" },
  });
  const { errors, isSubmitting } = form.formState;
  const emailError = errors.email?.message && t(errors.email.message as "validation.email");
  const passwordError =
    errors.password?.message && t(errors.password.message as "validation.required");
  return (
    <form className="space-y-4" noValidate onSubmit={form.handleSubmit(onSubmit)}>
      <div>
        <h1 className="text-lg font-semibold text-slate-900">{t("signIn.title")}</h1>
        <p className="mt-1 text-sm text-slate-600">{t("signIn.subtitle")}</p>
      </div>
      <Field id="email" label={t("signIn.email")} error={emailError}>
        <Input
          id="email"
          type="email"
          autoComplete="username"
          aria-invalid={!!emailError}
          aria-describedby={describedBy("email", emailError)}
          {...form.register("email")}
        />
      </Field>
      <Field id="password" label={t("signIn.password")} error={passwordError}>
        <Input
          id="password"
          type="password"
          autoComplete="current-password"
          aria-invalid={!!passwordError}
          aria-describedby={describedBy("password", passwordError)}
          {...form.register("password")}
        />
      </Field>
      <Button type="submit" className="w-full" disabled={isSubmitting}>
        {isSubmitting ? t("signIn.submitting") : t("signIn.submit")}
      </Button>
      <div className="flex justify-between text-sm">
        <Link to="/forgot-password" className="text-brand-700 underline">
          {t("signIn.forgot")}
        </Link>
        <Link to="/register" className="text-brand-700 underline">
          {t("signIn.register")}
        </Link>
      </div>
    </form>
  );
}

function TotpStep({
  onSubmit,
  onBack,
}: {
  onSubmit: (code: string) => Promise<void>;
  onBack: () => void;
}) {
  const { t } = useTranslation();
  const form = useForm<TotpForm>({ resolver: zodResolver(totpSchema), defaultValues: { code: "" } });
  const { errors, isSubmitting } = form.formState;
  const codeError = errors.code?.message && t(errors.code.message as "validation.totp");
  return (
    <form
      className="space-y-4"
      noValidate
      onSubmit={form.handleSubmit(async ({ code }) => {
        await onSubmit(code);
        form.reset();
      })}
    >
      <div>
        <h1 className="text-lg font-semibold text-slate-900">{t("signIn.totpTitle")}</h1>
        <p id="totp-help-text" className="mt-1 text-sm text-slate-600">
          {t("signIn.totpHelp")}
        </p>
      </div>
      <Field id="totp" label={t("signIn.totpCode")} error={codeError}>
        <Input
          id="totp"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          autoFocus
          aria-invalid={!!codeError}
          aria-describedby={describedBy("totp", codeError) ?? "totp-help-text"}
          {...form.register("code")}
        />
      </Field>
      <div className="flex gap-2">
        <Button type="button" variant="outline" onClick={onBack}>
          {t("signIn.back")}
        </Button>
        <Button type="submit" className="flex-1" disabled={isSubmitting}>
          {t("signIn.verify")}
        </Button>
      </div>
    </form>
  );
}
