import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

import type { Schemas } from "@/api/client";
import { taskQuery } from "@/api/queries";
import { LoadError } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Progress } from "@/components/ui/progress";

/** A queued task polled until it ends (taskQuery polls every two seconds), then a notice;
 * `onDone` runs once when it has succeeded. */
export function TaskProgress({
  taskId,
  label,
  doneText,
  onDone,
}: {
  taskId: string;
  label: string;
  doneText: string;
  onDone?: (task: Schemas["TaskRead"]) => void;
}) {
  const { t } = useTranslation();
  const task = useQuery(taskQuery(taskId));
  const reported = useRef(false);
  const status = task.data?.status;

  useEffect(() => {
    if (status === "done" && task.data && !reported.current) {
      reported.current = true;
      onDone?.(task.data);
    }
  }, [status, task.data, onDone]);

  if (task.isError) return <LoadError error={task.error} />;
  if (status === "done") return <Alert tone="success">{doneText}</Alert>;
  if (status === "failed" || status === "cancelled") {
    return (
      <Alert tone="error">
        {t("analysis.task.failed", { message: task.data?.error ?? t(status === "failed" ? "analysis.task.failed_status" : "analysis.task.cancelled") })}
      </Alert>
    );
  }
  const progress = task.data?.progress ?? 0;
  return (
    <div role="status" className="space-y-1 rounded-md border border-slate-200 bg-slate-50 px-4 py-3">
      <p className="text-sm text-slate-800">
        {label} · {t("analysis.task.running", { percent: progress })}
        {task.data?.progress_message && ` · ${task.data.progress_message}`}
      </p>
      <Progress value={progress} label={label} />
    </div>
  );
}
