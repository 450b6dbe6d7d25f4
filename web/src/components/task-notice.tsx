import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import type { Schemas } from "@/api/client";
import { activeTasksQuery, type TaskSubject, taskQuery } from "@/api/queries";
import { LoadError } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Progress } from "@/components/ui/progress";

export type TaskEnd = "done" | "failed" | "cancelled";

/** A background task polled while it runs (taskQuery polls every two seconds), ending in
 * a notice; `onFinished` runs once when it is over (the screen reloads what it changed). */
export function TaskNotice({
  taskId,
  running,
  done,
  onFinished,
  onDismiss,
}: {
  taskId: string;
  /** What runs, e.g. "Analysing": the progress bar's name too. */
  running: string;
  /** The notice once it has succeeded. */
  done: string;
  onFinished?: (status: TaskEnd, task: Schemas["TaskRead"]) => void;
  onDismiss?: () => void;
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
    if (reported.current || !task.data) return;
    if (status === "done" || status === "failed" || status === "cancelled") {
      reported.current = true;
      finished.current?.(status, task.data);
    }
  }, [status, task.data]);

  if (task.isError) return <LoadError error={task.error} onRetry={() => void task.refetch()} />;
  const dismiss = onDismiss && (
    <Button variant="outline" size="sm" onClick={onDismiss}>
      {t("task.dismiss")}
    </Button>
  );
  if (status === "done" || status === "failed" || status === "cancelled") {
    const text =
      status === "done"
        ? done
        : status === "failed"
          ? t("task.failed", { what: running, message: task.data?.error ?? t("task.noReason") })
          : t("task.cancelled", { what: running });
    return (
      <Alert tone={status === "done" ? "success" : "error"} className="flex items-center justify-between gap-4">
        <span>{text}</span>
        {dismiss}
      </Alert>
    );
  }
  const progress = task.data?.progress ?? 0;
  return (
    <div role="status" className="space-y-1 rounded-md border border-slate-200 bg-white p-3 text-sm">
      <p className="text-slate-800">
        {running} · {status === "processing" ? t("task.percent", { percent: Math.round(progress) }) : t("task.queued")}
        {task.data?.progress_message ? ` · ${task.data.progress_message}` : ""}
      </p>
      <Progress value={progress} label={running} />
    </div>
  );
}

/** The tasks a screen shows: those still running for its subject when it opened (asked
 * afresh on every visit), and those it started since, until dismissed. */
export function useFollowedTasks(subject: TaskSubject) {
  const active = useQuery({ ...activeTasksQuery(subject), gcTime: 0, refetchOnWindowFocus: false });
  const [followed, setFollowed] = useState<string[]>([]);
  const [dismissed, setDismissed] = useState<string[]>([]);
  const follow = useCallback(
    (taskId: string) => setFollowed((list) => (list.includes(taskId) ? list : [...list, taskId])),
    [],
  );
  useEffect(() => {
    active.data?.items.forEach((task) => follow(task.id));
  }, [active.data, follow]);
  const dismiss = useCallback((taskId: string) => setDismissed((list) => [...list, taskId]), []);
  return { ids: followed.filter((id) => !dismissed.includes(id)), follow, dismiss };
}
