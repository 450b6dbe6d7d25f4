import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen, taskRead } from "@/test-utils";

import { TaskNotice, useFollowedTasks } from "./task-notice";

const TASK_ID = "7d0c0000-0000-4000-8000-000000000001";
const PRODUCT_ID = "5a0c0000-0000-4000-8000-000000000002";
const DONE = "分析完成，內容已更新，請審閱。";

function task(status: string, progress: number, extra: Record<string, unknown> = {}) {
  return taskRead(TASK_ID, status, progress, extra);
}

function answers(...bodies: unknown[]) {
  const fetch = vi.fn<typeof globalThis.fetch>(async () => json(200, bodies.length > 1 ? bodies.shift() : bodies[0]));
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

describe("a background task's notice", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows the live progress while the task runs, then a notice once it is done", async () => {
    const fetch = answers(task("processing", 40, { progress_message: "讀取第 2 頁" }), task("done", 100));
    const onFinished = vi.fn();
    renderScreen(<TaskNotice taskId={TASK_ID} running="AI 分析" done={DONE} onFinished={onFinished} />);

    expect(await screen.findByText("AI 分析 · 進度 40% · 讀取第 2 頁")).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "AI 分析" })).toHaveAttribute("aria-valuenow", "40");
    expect(onFinished).not.toHaveBeenCalled();
    // Polled again (every two seconds while pending or processing).
    expect(await screen.findByText(DONE, {}, { timeout: 4000 })).toBeInTheDocument();
    expect(onFinished).toHaveBeenCalledTimes(1);
    expect(onFinished).toHaveBeenCalledWith("done", expect.objectContaining({ id: TASK_ID }));
    expect(new URL((fetch.mock.calls[0]![0] as Request).url).pathname).toBe(`/api/v1/tasks/${TASK_ID}`);
  });

  it("ends in the task's error message when it failed, and stops polling", async () => {
    const fetch = answers(task("failed", 60, { error: "The report has no text layer." }));
    const onFinished = vi.fn();
    const onDismiss = vi.fn();
    renderScreen(
      <TaskNotice taskId={TASK_ID} running="AI 分析" done={DONE} onFinished={onFinished} onDismiss={onDismiss} />,
    );
    expect(await screen.findByRole("alert")).toHaveTextContent("AI 分析失敗：The report has no text layer.");
    expect(onFinished).toHaveBeenCalledWith("failed", expect.objectContaining({ status: "failed" }));
    await userEvent.click(screen.getByRole("button", { name: "關閉" }));
    expect(onDismiss).toHaveBeenCalledTimes(1);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("follows, on opening, the task still running for the item, and what is started after", async () => {
    const started = "7d0c0000-0000-4000-8000-000000000009";
    const fetch = vi.fn<typeof globalThis.fetch>(async (input) => {
      const url = new URL((input as Request).url);
      if (url.pathname === "/api/v1/tasks") {
        return json(200, { items: [task("processing", 10)], total: 1, limit: 50, offset: 0 });
      }
      const id = url.pathname.split("/").pop();
      return json(200, id === TASK_ID ? task("processing", 10) : task("pending", 0, { id }));
    });
    vi.stubGlobal("fetch", fetch);
    function Followed() {
      const tasks = useFollowedTasks({ productId: PRODUCT_ID, itemNumber: 3 });
      return (
        <div>
          <button onClick={() => tasks.follow(started)}>start</button>
          {tasks.ids.map((id) => (
            <TaskNotice key={id} taskId={id} running={`task ${id.slice(-1)}`} done={DONE} />
          ))}
        </div>
      );
    }
    renderScreen(<Followed />);

    expect(await screen.findByText("task 1 · 進度 10%")).toBeInTheDocument();
    const asked = new URL((fetch.mock.calls[0]![0] as Request).url);
    expect(asked.pathname).toBe("/api/v1/tasks");
    expect(asked.searchParams.get("product_id")).toBe(PRODUCT_ID);
    expect(asked.searchParams.get("item_number")).toBe("3");
    expect(asked.searchParams.getAll("status")).toEqual(["pending", "processing"]);

    await userEvent.click(screen.getByRole("button", { name: "start" }));
    expect(await screen.findByText("task 9 · 已排入佇列，等待處理…")).toBeInTheDocument();
    expect(screen.getByText("task 1 · 進度 10%")).toBeInTheDocument();
  });
});
