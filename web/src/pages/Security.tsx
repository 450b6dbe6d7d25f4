import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { QRCodeSVG } from "qrcode.react";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";

import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import { meQuery } from "@/api/queries";
import { describedBy, Field } from "@/components/field";
import { fieldText } from "@/components/form-text";
import { Loading, LoadError } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { errorMessage } from "@/lib/error-message";

import { totpSchema } from "./SignIn";

type TotpForm = { code: string };

/** Two-factor authentication: a new secret as a QR code, on once a code from it checks. */
export function SecurityPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const me = useQuery(meQuery);
  const setup = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/auth/setup-2fa")),
  });
  const enable = useMutation({
    mutationFn: async ({ code }: TotpForm) =>
      unwrap(await api.POST("/api/v1/auth/verify-2fa", { body: { code } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQuery.queryKey }),
  });
  const form = useForm<TotpForm>({ resolver: zodResolver(totpSchema), defaultValues: { code: "" } });
  const codeError = fieldText(t, form.formState.errors.code);

  if (me.isPending) return <Loading />;
  if (me.isError) return <LoadError error={me.error} onRetry={() => void me.refetch()} />;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold text-slate-900">{t("security.title")}</h1>
      <Card className="max-w-xl space-y-4">
        <CardTitle>{t("signIn.totpTitle")}</CardTitle>
        {me.data.user.totp_enabled ? (
          <Alert tone="success">{t("security.enabled")}</Alert>
        ) : setup.data ? (
          <form
            className="space-y-4"
            noValidate
            onSubmit={form.handleSubmit((values) => enable.mutate(values))}
          >
            <p className="text-sm text-slate-700">{t("security.scan")}</p>
            <QRCodeSVG
              value={setup.data.otpauth_uri}
              size={176}
              title={t("security.qrTitle")}
              className="rounded border border-slate-200 p-2"
            />
            <p className="text-sm text-slate-700">
              {t("security.manual")}{" "}
              <code className="rounded bg-slate-100 px-1 font-mono break-all" data-testid="totp-secret">
                {setup.data.secret}
              </code>
            </p>
            {enable.isError && <Alert tone="error">{errorMessage(t, enable.error)}</Alert>}
            <Field id="enable-totp" label={t("signIn.totpCode")} error={codeError}>
              <Input
                id="enable-totp"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                aria-invalid={!!codeError}
                aria-describedby={describedBy("enable-totp", codeError)}
                {...form.register("code")}
              />
            </Field>
            <Button type="submit" disabled={enable.isPending}>
              {t("security.enable")}
            </Button>
          </form>
        ) : (
          <div className="space-y-3">
            <p className="text-sm text-slate-700">{t("security.off")}</p>
            {setup.isError && <Alert tone="error">{errorMessage(t, setup.error)}</Alert>}
            <Button onClick={() => setup.mutate()} disabled={setup.isPending}>
              {t("security.start")}
            </Button>
          </div>
        )}
      </Card>
    </div>
  );
}
