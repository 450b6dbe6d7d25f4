import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";

import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import { pendingReviewsQuery, reviewQuery } from "@/api/sa-queries";
import { ConfidenceBadge } from "@/components/confidence-badge";
import { Field } from "@/components/field";
import { fieldText } from "@/components/form-text";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { Input } from "@/components/ui/input";
import { errorMessage } from "@/lib/error-message";

import {
  draftSections,
  formComments,
  initialValues,
  reviewFormSchema,
  revisionItems,
  TOTP_PATTERN,
  type ReviewDetail,
  type ReviewForm,
} from "./review-model";

type Action = "save" | "revision" | "sign";
const TEXTAREA =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-brand-700";

/** The SA's side: final assessment, comments per item, and the three actions. */
export function ReviewFormCard({ review, errorAlerts }: { review: ReviewDetail; errorAlerts: boolean }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const form = useForm<ReviewForm>({
    resolver: zodResolver(reviewFormSchema),
    defaultValues: initialValues(review),
  });
  const editable = review.status !== "signed";
  const id = review.id;

  const action = useMutation({
    mutationFn: async ({ kind, values }: { kind: Action; values: ReviewForm }) => {
      const path = { review_id: id };
      const header = { "x-totp-code": values.code };
      const finalAssessment = values.final_assessment.trim() || null;
      if (kind === "save") {
        return unwrap(
          await api.PUT("/api/v1/sa/reviews/{review_id}", {
            params: { path, header },
            body: { final_assessment: finalAssessment, comments: formComments(review, values) },
          }),
        );
      }
      if (kind === "revision") {
        return unwrap(
          await api.POST("/api/v1/sa/reviews/{review_id}/revision", {
            params: { path },
            body: { comments: formComments(review, values), items: revisionItems(review, values) },
          }),
        );
      }
      return unwrap(
        await api.POST("/api/v1/sa/reviews/{review_id}/sign", {
          params: { path, header },
          body: {
            final_assessment: finalAssessment,
            remediation_plan: values.remediation_plan.trim() || null,
          },
        }),
      );
    },
    onSuccess: async (_, { kind, values }) => {
      setDone(t(`sa.done.${kind}`));
      // A code is good once; comments sent are now the review's.
      form.reset({ ...values, code: "", general: "", notes: values.notes.map(() => "") });
      await queryClient.invalidateQueries({ queryKey: reviewQuery(id).queryKey });
      await queryClient.invalidateQueries({ queryKey: pendingReviewsQuery.queryKey });
    },
  });

  const run = (kind: Action) =>
    form.handleSubmit((values) => {
      setDone(null);
      if (kind !== "revision" && !TOTP_PATTERN.test(values.code)) {
        form.setError("code", { message: "validation.totp" });
        return;
      }
      if (kind === "revision" && formComments(review, values).length === 0) {
        form.setError("general", { message: "validation.commentRequired" });
        return;
      }
      action.mutate({ kind, values });
    });

  const draft = draftSections(review, i18n.language);
  const errors = form.formState.errors;
  const byItem = (number: number) => review.comments.filter((c) => c.item_number === number);
  const general = review.comments.filter((c) => c.item_number === null);

  return (
    <form className="space-y-6" noValidate onSubmit={(event) => event.preventDefault()}>
      <div className="grid gap-4 md:grid-cols-2">
        <Card>
          <CardTitle className="mb-3">{t("sa.engineDraft")}</CardTitle>
          {draft.length === 0 ? (
            <p className="text-sm text-slate-600">{t("sa.noDraft")}</p>
          ) : (
            <div className="space-y-3 text-sm text-slate-800" data-testid="engine-draft">
              {draft.map((section) => (
                <div key={section.key}>
                  <h3 className="font-medium text-slate-900">{t(`sa.draft.${section.key}`)}</h3>
                  <p className="whitespace-pre-line">{section.text}</p>
                </div>
              ))}
            </div>
          )}
        </Card>
        <Card>
          <Field
            id="final-assessment"
            label={t("sa.finalAssessment")}
            error={fieldText(t, errors.final_assessment)}
          >
            <textarea
              id="final-assessment"
              rows={10}
              className={TEXTAREA}
              disabled={!editable}
              {...form.register("final_assessment")}
            />
          </Field>
        </Card>
      </div>
      <Card>
        <CardTitle className="mb-3">{t("sa.items")}</CardTitle>
        <DataTable
          columns={[
            t("pif.item"),
            t("pif.status"),
            t("pif.confidence"),
            t("sa.comments"),
            editable && t("sa.sendBack"),
          ]}
        >
          {review.items.map((item, index) => {
            const name = i18n.language === "en" ? item.name_en : item.name_zh;
            return (
              <tr key={item.item_number} data-testid={`review-item-${item.item_number}`}>
                <td className="py-2 pr-3 align-top">
                  <span className="mr-2 font-mono text-slate-500">{item.item_number}</span>
                  <span className="font-medium text-slate-900">{name}</span>
                </td>
                <td className="py-2 pr-3 align-top">
                  {t(`itemStatus.${item.status}` as "itemStatus.missing", {
                    defaultValue: item.status,
                  })}
                </td>
                <td className="py-2 pr-3 align-top">
                  <ConfidenceBadge value={item.confidence} />
                </td>
                <td className="space-y-1 py-2 pr-3 align-top">
                  {byItem(item.item_number).map((comment) => (
                    <p key={comment.id} className="text-xs text-slate-700">
                      <span className="font-medium">{comment.author_name ?? "—"}:</span>{" "}
                      {comment.body}
                    </p>
                  ))}
                  {editable && (
                    <Input
                      aria-label={t("sa.commentOn", { item: item.item_number })}
                      className="h-8"
                      {...form.register(`notes.${index}`)}
                    />
                  )}
                </td>
                {editable && (
                  <td className="py-2 align-top">
                    <input
                      type="checkbox"
                      aria-label={t("sa.sendBackItem", { item: item.item_number })}
                      className="h-4 w-4"
                      {...form.register(`revise.${index}`)}
                    />
                  </td>
                )}
              </tr>
            );
          })}
        </DataTable>
      </Card>
      <Card className="space-y-4">
        <CardTitle>{t("sa.generalComments")}</CardTitle>
        {general.map((comment) => (
          <p key={comment.id} className="text-sm text-slate-700">
            <span className="font-medium">{comment.author_name ?? "—"}:</span> {comment.body}
          </p>
        ))}
        {editable && (
          <>
            <Field id="general-comment" label={t("sa.generalComment")} error={fieldText(t, errors.general)}>
              <textarea id="general-comment" rows={3} className={TEXTAREA} {...form.register("general")} />
            </Field>
            {errorAlerts && (
              <Field
                id="remediation-plan"
                label={t("sa.remediationPlan")}
                help={t("sa.remediationHelp")}
                error={fieldText(t, errors.remediation_plan)}
              >
                <textarea
                  id="remediation-plan"
                  rows={4}
                  className={TEXTAREA}
                  {...form.register("remediation_plan")}
                />
              </Field>
            )}
            <Field id="sa-totp" label={t("signIn.totpCode")} help={t("sa.totpHelp")} error={fieldText(t, errors.code)}>
              <Input
                id="sa-totp"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                className="max-w-40"
                aria-invalid={!!errors.code}
                {...form.register("code")}
              />
            </Field>
            {action.isError && <Alert tone="error">{errorMessage(t, action.error)}</Alert>}
            {done && <Alert tone="success">{done}</Alert>}
            <div className="flex flex-wrap gap-3">
              <Button type="button" variant="outline" disabled={action.isPending} onClick={run("save")}>
                {t("sa.save")}
              </Button>
              <Button type="button" variant="outline" disabled={action.isPending} onClick={run("revision")}>
                {t("sa.requestRevision")}
              </Button>
              <Button type="button" disabled={action.isPending} onClick={run("sign")}>
                {t("sa.sign")}
              </Button>
            </div>
          </>
        )}
      </Card>
    </form>
  );
}
