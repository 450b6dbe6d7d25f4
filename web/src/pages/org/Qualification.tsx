import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { z } from "zod";

import {
  downloadCertificate,
  qualificationQuery,
  saveQualification,
  uploadCertificate,
} from "@/api/org-queries";
import { describedBy, Field } from "@/components/field";
import { fieldText } from "@/components/form-text";
import { Loading, LoadError } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { errorMessage, fieldErrors } from "@/lib/error-message";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const qualificationSchema = z
  .object({
    certificate_reference: z.string().trim().min(1, { error: "validation.required" }).max(200, {
      error: "validation.tooLong",
    }),
    issuing_body: z.string().trim().min(1, { error: "validation.required" }).max(300, {
      error: "validation.tooLong",
    }),
    valid_from: z.string().refine((v) => v === "" || DATE.test(v)),
    valid_until: z.string().regex(DATE, { error: "validation.required" }),
  })
  .refine((v) => v.valid_from === "" || v.valid_from <= v.valid_until, {
    path: ["valid_until"],
    error: "org.qualification.untilBeforeFrom",
  });
type QualificationForm = z.input<typeof qualificationSchema>;

const STATUS_TONE = { valid: "success", expired: "error", not_yet_valid: "info" } as const;

/** The Safety Assessor's qualification (it allows signing while valid) and its certificate. */
export function Qualification() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const qualification = useQuery(qualificationQuery);
  const [editing, setEditing] = useState(false);
  const current = qualification.data;
  const form = useForm<QualificationForm>({
    resolver: zodResolver(qualificationSchema),
    values: {
      certificate_reference: current?.certificate_reference ?? "",
      issuing_body: current?.issuing_body ?? "",
      valid_from: current?.valid_from ?? "",
      valid_until: current?.valid_until ?? "",
    },
  });
  const save = useMutation({
    mutationFn: (values: QualificationForm) =>
      saveQualification({ ...values, valid_from: values.valid_from || null }),
    onSuccess: (saved) => {
      queryClient.setQueryData(qualificationQuery.queryKey, saved);
      setEditing(false);
    },
  });
  const server = fieldErrors(t, save.error);
  const error = (name: keyof QualificationForm) => {
    const found = form.formState.errors[name];
    if (found?.message?.startsWith("org.")) return t("org.qualification.untilBeforeFrom");
    return fieldText(t, found) ?? server[name];
  };

  if (qualification.isPending) {
    return (
      <Card>
        <CardTitle>{t("org.qualification.title")}</CardTitle>
        <Loading />
      </Card>
    );
  }
  if (qualification.isError) {
    return (
      <Card className="space-y-3">
        <CardTitle>{t("org.qualification.title")}</CardTitle>
        <LoadError error={qualification.error} onRetry={() => void qualification.refetch()} />
      </Card>
    );
  }
  const showForm = editing || current === null;
  return (
    <Card className="space-y-4">
      <CardTitle>{t("org.qualification.title")}</CardTitle>
      {current ? (
        <>
          <Alert tone={STATUS_TONE[current.status]}>
            {t(`org.qualification.status.${current.status}`)}
          </Alert>
          <dl className="grid gap-x-6 gap-y-2 text-sm md:grid-cols-2">
            <div>
              <dt className="text-slate-600">{t("org.qualification.reference")}</dt>
              <dd className="font-medium text-slate-900">{current.certificate_reference}</dd>
            </div>
            <div>
              <dt className="text-slate-600">{t("org.qualification.issuer")}</dt>
              <dd className="font-medium text-slate-900">{current.issuing_body}</dd>
            </div>
            <div>
              <dt className="text-slate-600">{t("org.qualification.validFrom")}</dt>
              <dd className="font-medium text-slate-900">{current.valid_from ?? "—"}</dd>
            </div>
            <div>
              <dt className="text-slate-600">{t("org.qualification.validUntil")}</dt>
              <dd className="font-medium text-slate-900">{current.valid_until}</dd>
            </div>
          </dl>
          <Certificate file={current.certificate_file} />
          {!editing && (
            <Button variant="outline" onClick={() => setEditing(true)}>
              {t("org.qualification.edit")}
            </Button>
          )}
        </>
      ) : (
        <p className="text-sm text-slate-600">{t("org.qualification.none")}</p>
      )}
      {showForm && (
        <form
          noValidate
          aria-label={t("org.qualification.formLabel")}
          className="space-y-4 border-t border-slate-200 pt-4"
          onSubmit={form.handleSubmit((values) => save.mutate(values))}
        >
          {save.isError && <Alert tone="error">{errorMessage(t, save.error)}</Alert>}
          <div className="grid gap-4 md:grid-cols-2">
            {(
              [
                ["certificate_reference", "reference", "text"],
                ["issuing_body", "issuer", "text"],
                ["valid_from", "validFromOptional", "date"],
                ["valid_until", "validUntil", "date"],
              ] as const
            ).map(([name, label, type]) => {
              const id = `qualification-${name}`;
              const message = error(name);
              return (
                <Field key={name} id={id} label={t(`org.qualification.${label}`)} error={message}>
                  <Input
                    id={id}
                    type={type}
                    aria-invalid={!!message}
                    aria-describedby={describedBy(id, message)}
                    {...form.register(name)}
                  />
                </Field>
              );
            })}
          </div>
          <div className="flex gap-2">
            <Button type="submit" disabled={save.isPending}>
              {t("org.qualification.save")}
            </Button>
            {editing && (
              <Button type="button" variant="outline" onClick={() => setEditing(false)}>
                {t("org.grants.cancel")}
              </Button>
            )}
          </div>
        </form>
      )}
    </Card>
  );
}

type CertificateFile = NonNullable<
  NonNullable<Awaited<ReturnType<typeof saveQualification>>>["certificate_file"]
>;

/** Upload the certificate (PDF, PNG, JPEG or TIFF, up to 10 MB) or download the one kept. */
function Certificate({ file }: { file: CertificateFile | null }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState<File | null>(null);
  const upload = useMutation({
    mutationFn: (picked: File) => uploadCertificate(picked),
    onSuccess: (saved) => {
      queryClient.setQueryData(qualificationQuery.queryKey, saved);
      setChosen(null);
      if (input.current) input.current.value = "";
    },
  });
  const download = useMutation({ mutationFn: (name: string) => downloadCertificate(name) });

  return (
    <div className="space-y-3 rounded-md border border-slate-200 p-4">
      <h3 className="text-base font-semibold text-slate-900">{t("org.qualification.certificate")}</h3>
      {file ? (
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <span className="break-all text-slate-800">
            {file.filename} ({Math.ceil(file.size_bytes / 1024)} KB)
          </span>
          <Button
            size="sm"
            variant="outline"
            disabled={download.isPending}
            onClick={() => download.mutate(file.filename)}
          >
            {t("org.qualification.download")}
          </Button>
        </div>
      ) : (
        <p className="text-sm text-slate-600">{t("org.qualification.noFile")}</p>
      )}
      {download.isError && <Alert tone="error">{errorMessage(t, download.error)}</Alert>}
      <div className="flex flex-wrap items-end gap-3">
        <Field id="certificate-file" label={t("org.qualification.file")} help={t("org.qualification.fileHelp")}>
          <input
            id="certificate-file"
            ref={input}
            type="file"
            accept="application/pdf,image/png,image/jpeg,image/tiff"
            aria-describedby="certificate-file-help"
            className="block text-sm text-slate-800"
            onChange={(event) => setChosen(event.target.files?.[0] ?? null)}
          />
        </Field>
        <Button
          size="sm"
          disabled={!chosen || upload.isPending}
          onClick={() => chosen && upload.mutate(chosen)}
        >
          {t("org.qualification.upload")}
        </Button>
      </div>
      {upload.isError && <Alert tone="error">{errorMessage(t, upload.error)}</Alert>}
    </div>
  );
}
