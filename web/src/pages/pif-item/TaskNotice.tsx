import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

import { taskQuery } from "@/api/queries";
import { LoadError } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Progress } from "@/components/ui/progress";

/** A background task (an item's analysis), polled while it runs, ending in a notice;
 * `onFinished` runs once when it is over (the screen reloads what it changed). */
export function TaskNotice({
  taskId,
  onFinished,
  onDismiss,
}: {
  taskId: string;
  onFinished: (status: "done" | "failed" | "cancelled") => void;
  onDismiss: () => void;
}) {
  const { t } = useTranslation();
  const task = useQuery(taskQuery(taskId));
  const status = task.data?.status;
  const reported = useRef(false);
  const finished = useRef(onFinished);
  useEffect(() => {
    finished.current = onFinished;
  });

  useEffect(() => {
    if (reported.current) return;
    if (status === "done" || status === "failed" || status === "cancelled") {
      reported.current = true;
      finished.current(status);
    }
  }, [status]);

  if (task.isError) return <LoadError error={task.error} onRetry={() => void task.refetch()} />;
  const dismiss = (
    <Button variant="outline" size="sm" onClick={onDismiss}>
      {t("pifItem.task.dismiss")}
    </Button>
  );
  if (status === "done") {
    return (
      <Alert tone="success" className="flex items-center justify-between gap-4">
        <span>{t("pifItem.task.done")}</span>
        {dismiss}
      </Alert>
    );
  }
  if (status === "failed" || status === "cancelled") {
    return (
      <Alert tone="error" className="flex items-center justify-between gap-4">
        <span>
          {status === "failed"
            ? t("pifItem.task.failed", { message: task.data?.error ?? t("pifItem.task.noReason") })
            : t("pifItem.task.cancelled")}
        </span>
        {dismiss}
      </Alert>
    );
  }
  const progress = task.data?.progress ?? 0;
  return (
    <div role="status" className="space-y-1 rounded-md border border-slate-200 bg-white p-3 text-sm">
      <p className="text-slate-800">
        {status === "processing" ? t("pifItem.task.processing") : t("pifItem.task.pending")}
        {task.data?.progress_message ? ` · ${task.data.progress_message}` : ""}
      </p>
      <Progress value={progress} label={t("pifItem.task.progress")} />
      <p className="text-xs text-slate-600">{Math.round(progress)}%</p>
    </div>
  );
}
