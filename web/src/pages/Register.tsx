import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";

import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import { AuthShell, AuthTitle } from "@/components/auth-shell";
import { describedBy, Field } from "@/components/field";
import { fieldText } from "@/components/form-text";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import type { Language } from "@/i18n";
import { errorMessage } from "@/lib/error-message";

import { ORGANIZATION_TYPES, type RegisterForm, registerSchema } from "./account-forms";

export function RegisterPage() {
  const { t, i18n } = useTranslation();
  const form = useForm<RegisterForm>({
    resolver: zodResolver(registerSchema),
    defaultValues: {
      email: "",
      password: "",
      full_name: "",
      organization_name: "",
      organization_type: "brand",
    },
  });
  const register = useMutation({
    mutationFn: async (values: RegisterForm) =>
      unwrap(
        await api.POST("/api/v1/auth/register", {
          body: { ...registerSchema.parse(values), locale: i18n.language as Language },
        }),
      ),
  });
  const { errors } = form.formState;
  const text = (name: keyof RegisterForm) => fieldText(t, errors[name]);

  if (register.isSuccess) {
    return (
      <AuthShell>
        <div className="space-y-4">
          <AuthTitle title={t("register.doneTitle")} />
          <Alert tone="success">{t("register.done")}</Alert>
          <Button asChild className="w-full">
            <Link to="/sign-in">{t("signIn.submit")}</Link>
          </Button>
        </div>
      </AuthShell>
    );
  }
  return (
    <AuthShell>
      <form
        className="space-y-4"
        noValidate
        onSubmit={form.handleSubmit((values) => register.mutate(values))}
      >
        <AuthTitle title={t("register.title")} subtitle={t("register.subtitle")} />
        {register.isError && <Alert tone="error">{errorMessage(t, register.error)}</Alert>}
        <Field id="register-org" label={t("register.organization")} error={text("organization_name")}>
          <Input
            id="register-org"
            autoComplete="organization"
            aria-invalid={!!errors.organization_name}
            aria-describedby={describedBy("register-org", text("organization_name"))}
            {...form.register("organization_name")}
          />
        </Field>
        <Field id="register-org-type" label={t("register.organizationType")}>
          <Select id="register-org-type" {...form.register("organization_type")}>
            {ORGANIZATION_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`organizationType.${type}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="register-name" label={t("register.fullName")} error={text("full_name")}>
          <Input
            id="register-name"
            autoComplete="name"
            aria-invalid={!!errors.full_name}
            aria-describedby={describedBy("register-name", text("full_name"))}
            {...form.register("full_name")}
          />
        </Field>
        <Field id="register-email" label={t("signIn.email")} error={text("email")}>
          <Input
            id="register-email"
            type="email"
            autoComplete="email"
            aria-invalid={!!errors.email}
            aria-describedby={describedBy("register-email", text("email"))}
            {...form.register("email")}
          />
        </Field>
        <Field
          id="register-password"
          label={t("signIn.password")}
          help={t("register.passwordHelp")}
          error={text("password")}
        >
          <Input
            id="register-password"
            type="password"
            autoComplete="new-password"
            aria-invalid={!!errors.password}
            aria-describedby={describedBy("register-password", text("password"), "help")}
            {...form.register("password")}
          />
        </Field>
        <Button type="submit" className="w-full" disabled={register.isPending}>
          {t("register.submit")}
        </Button>
        <p className="text-center text-sm">
          <Link to="/sign-in" className="text-brand-700 underline">
            {t("register.haveAccount")}
          </Link>
        </p>
      </form>
    </AuthShell>
  );
}
