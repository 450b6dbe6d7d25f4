import { screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import { TaskNotice } from "./TaskNotice";

const TASK_ID = "7d0c0000-0000-4000-8000-000000000001";

function task(status: string, progress: number, extra: Record<string, unknown> = {}) {
  return {
    id: TASK_ID,
    kind: "report.extract",
    status,
    progress,
    progress_message: null,
    result: null,
    error: null,
    attempts: 1,
    max_attempts: 3,
    next_attempt_at: null,
    cancel_requested: false,
    created_by: null,
    created_at: "2026-12-02T08:00:00Z",
    started_at: null,
    finished_at: null,
    ...extra,
  };
}

function answers(...bodies: unknown[]) {
  const fetch = vi.fn<typeof globalThis.fetch>(async () => json(200, bodies.length > 1 ? bodies.shift() : bodies[0]));
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

describe("an analysis task's notice", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows the live progress while the task runs, then a notice once it is done", async () => {
    const fetch = answers(task("processing", 40, { progress_message: "讀取第 2 頁" }), task("done", 100));
    const onFinished = vi.fn();
    renderScreen(<TaskNotice taskId={TASK_ID} onFinished={onFinished} onDismiss={vi.fn()} />);

    expect(await screen.findByText("分析中… · 讀取第 2 頁")).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "分析進度" })).toHaveAttribute("aria-valuenow", "40");
    expect(onFinished).not.toHaveBeenCalled();
    // Polled again (every two seconds while pending or processing).
    expect(await screen.findByText("分析完成，內容已更新，請審閱。", {}, { timeout: 4000 })).toBeInTheDocument();
    expect(onFinished).toHaveBeenCalledTimes(1);
    expect(onFinished).toHaveBeenCalledWith("done");
    expect(new URL((fetch.mock.calls[0]![0] as Request).url).pathname).toBe(`/api/v1/tasks/${TASK_ID}`);
  });

  it("ends in the task's error message when it failed, and stops polling", async () => {
    const fetch = answers(task("failed", 60, { error: "The report has no text layer." }));
    const onFinished = vi.fn();
    renderScreen(<TaskNotice taskId={TASK_ID} onFinished={onFinished} onDismiss={vi.fn()} />);
    expect(await screen.findByRole("alert")).toHaveTextContent("分析失敗：The report has no text layer.");
    expect(onFinished).toHaveBeenCalledWith("failed");
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
