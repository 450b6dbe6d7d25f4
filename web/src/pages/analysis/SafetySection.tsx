import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";

import { requestAssessment, requestToxicology, safetyQuery } from "@/api/analysis-queries";
import type { Schemas } from "@/api/client";
import { Loading, LoadError } from "@/components/states";
import { TaskNotice, useFollowedTasks } from "@/components/task-notice";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { errorMessage } from "@/lib/error-message";

import { SafetyTable } from "./SafetyTable";

// The queue's job names, as the API's task list reports them.
const ASSESS_KIND = "safety.assess";
const GATHER_KIND = "toxicology.batch";

const VERDICT_ALERT: Record<string, "success" | "error" | "info"> = {
  acceptable: "success",
  formula_revision_required: "error",
};

export function SafetySection({ productId }: { productId: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const query = useQuery(safetyQuery(productId));
  const assessments = useFollowedTasks({ productId, kind: ASSESS_KIND });
  const gatherings = useFollowedTasks({ productId, kind: GATHER_KIND });
  const assess = useMutation({
    mutationFn: () => requestAssessment(productId),
    onSuccess: (accepted) => assessments.follow(accepted.task_id),
  });
  const gather = useMutation({
    mutationFn: () => requestToxicology(productId),
    onSuccess: (accepted) => gatherings.follow(accepted.task_id),
  });
  const refresh = useCallback(
    () => void client.invalidateQueries({ queryKey: safetyQuery(productId).queryKey }),
    [client, productId],
  );

  return (
    <Card aria-labelledby="safety-title" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <CardTitle id="safety-title">{t("analysis.safety.title")}</CardTitle>
        <div className="flex flex-wrap gap-2">
          <Button variant="outline" onClick={() => gather.mutate()} disabled={gather.isPending}>
            {t("analysis.safety.gather")}
          </Button>
          <Button onClick={() => assess.mutate()} disabled={assess.isPending}>
            {t("analysis.safety.assess")}
          </Button>
        </div>
      </div>
      {gather.isError && <Alert tone="error">{errorMessage(t, gather.error)}</Alert>}
      {assess.isError && <Alert tone="error">{errorMessage(t, assess.error)}</Alert>}
      {gatherings.ids.map((taskId) => (
        <TaskNotice
          key={taskId}
          taskId={taskId}
          running={t("analysis.safety.gathering")}
          done={t("analysis.safety.gathered")}
          onDismiss={() => gatherings.dismiss(taskId)}
        />
      ))}
      {assessments.ids.map((taskId) => (
        <TaskNotice
          key={taskId}
          taskId={taskId}
          running={t("analysis.safety.assessing")}
          done={t("analysis.safety.assessed")}
          onFinished={refresh}
          onDismiss={() => assessments.dismiss(taskId)}
        />
      ))}
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <LoadError error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <SafetyBody data={query.data} />
      )}
    </Card>
  );
}

function SafetyBody({ data }: { data: Schemas["SafetyAssessmentOut"] }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-600">
        {data.assessment_id && data.assessed_at
          ? t("analysis.safety.kept", {
              date: new Date(data.assessed_at).toLocaleString(i18n.language),
            })
          : t("analysis.safety.notKept")}
      </p>
      <Alert tone={VERDICT_ALERT[data.verdict] ?? "info"}>
        <p className="font-medium">
          {t("analysis.safety.verdict")}:{" "}
          {t(`analysis.verdict.${data.verdict}`, { defaultValue: data.verdict_label })}
        </p>
        {data.reasons.length > 0 && (
          <ul className="mt-1 list-disc pl-5">
            {data.reasons.map((reason, index) => (
              <li key={`${reason.code}-${index}`}>{reason.message}</li>
            ))}
          </ul>
        )}
      </Alert>
      {data.ingredients.length === 0 ? (
        <Alert tone="info">{t("analysis.safety.empty")}</Alert>
      ) : (
        <SafetyTable rows={data.ingredients} />
      )}
    </div>
  );
}
