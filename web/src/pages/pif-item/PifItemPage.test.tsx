import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import axe from "axe-core";

import i18n from "@/i18n";
import { json, NO_TASKS, renderScreen, taskRead } from "@/test-utils";

import schemas from "./item-schemas.fixture.json";
import { PifItemPage } from "./PifItemPage";

const ID = "3f1c2a9e-0000-4000-8000-000000000001";
const TASK = "7d0c0000-0000-4000-8000-000000000001";
const label = (code: string, zh: string, en: string) => ({ code, name_zh: zh, name_en: en });

function detail(number: number, status: string, extra: Record<string, unknown> = {}) {
  return {
    item_number: number,
    name_zh: "使用方法、部位、用量、頻率及族群",
    name_en: "Usage",
    source: "form",
    status,
    confidence: 0.42,
    confidence_band: "red",
    updated_at: "2026-12-01T08:00:00Z",
    updated_by: null,
    last_error: null,
    files: [],
    allowed_transitions: ["approved", "ai_processing", "human_reviewed", "uploaded"],
    provider: { ...label("brand", "品牌商", "Brand owner"), outsourced: false, also: [] },
    stage: label("development", "開發", "Development"),
    content: { method: "塗抹", body_sites: ["臉部"], target_population: "成人" },
    ...extra,
  };
}

interface Call {
  method: string;
  path: string;
  body: unknown;
}

const RUNNING = "7d0c0000-0000-4000-8000-0000000000aa";

function server(item: ReturnType<typeof detail> | null, running: string[] = []) {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>(async (input) => {
      const request = input as Request;
      const path = new URL(request.url).pathname;
      const text = await request.text();
      calls.push({ method: request.method, path, body: text ? JSON.parse(text) : null });
      if (path === "/api/v1/me") return json(200, { user: { role: "member" }, organization: {} });
      if (path === `/api/v1/products/${ID}`) return json(200, { id: ID, name: "玻尿酸保濕精華液" });
      if (path === "/api/v1/pif/item-schemas") {
        const numbered = [3, 7, 8] as const;
        const schemaOf = { 3: schemas["7"], 7: schemas["7"], 8: schemas["8"] };
        return json(200, numbered.map((n) => ({ item_number: n, name_zh: "", name_en: "", has_form: true, content_schema: schemaOf[n] })));
      }
      if (path === "/api/v1/tasks") {
        return json(200, { ...NO_TASKS, items: running.map((id) => taskRead(id, "processing", 30)), total: running.length });
      }
      if (path === `/api/v1/tasks/${RUNNING}`) return json(200, taskRead(RUNNING, "processing", 30));
      if (path.endsWith("/pif/analyze")) return json(202, { tasks: [{ item_number: 7, task_id: TASK, kind: "x" }] });
      if (path === `/api/v1/tasks/${TASK}`) {
        return json(200, { id: TASK, kind: "x", status: "done", progress: 100, progress_message: null, error: null });
      }
      if (!item) return json(404, { error: { code: "item_not_found", message: "no item", details: null } });
      if (request.method === "PUT") return json(200, { ...item, status: "human_reviewed" });
      return json(200, item);
    }),
  );
  return calls;
}

describe("the PIF item screen", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows the item's status, confidence colour and provider, and changes its status", async () => {
    const user = userEvent.setup();
    const calls = server(detail(7, "ai_draft_ready"));
    renderScreen(<PifItemPage productId={ID} itemNumber={7} />);

    const heading = await screen.findByRole("heading", { level: 1 });
    expect(heading).toHaveTextContent("7使用方法、部位、用量、頻率及族群");
    expect(screen.getByTestId("item-status")).toHaveTextContent("AI 草稿完成");
    expect(screen.getByText("低 42%")).toHaveClass("bg-red-100");
    expect(screen.getByText("品牌商")).toBeInTheDocument();
    // Approving is a Safety Assessor's; starting an analysis is the analysis button's.
    const group = screen.getByRole("group", { name: "變更狀態" });
    expect(within(group).queryByRole("button", { name: /已核准/ })).toBeNull();
    expect(within(group).queryByRole("button", { name: /AI 分析中/ })).toBeNull();
    await user.click(within(group).getByRole("button", { name: "標記為「已人工審閱」" }));
    await vi.waitFor(() =>
      expect(calls).toContainEqual({ method: "PUT", path: `/api/v1/products/${ID}/pif/7`, body: { status: "human_reviewed" } }),
    );
    // The form is the item's own, from its schema.
    expect(await screen.findByRole("textbox", { name: "方法 *" })).toHaveValue("塗抹");
  });

  it("has no serious accessibility violations (labels, names, headings)", async () => {
    server(detail(8, "uploaded", { content: { has_reports: true, statement: "無", reports: [{ description: "紅疹" }] } }));
    renderScreen(<PifItemPage productId={ID} itemNumber={8} />);
    await screen.findByRole("textbox", { name: "聲明 *" });
    // jsdom has no layout: colour contrast is the browser test's.
    const results = await axe.run(document.body, { rules: { "color-contrast": { enabled: false } } });
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  });

  it("links item 3 to the formula table instead of a form", async () => {
    server(detail(3, "uploaded", { name_zh: "全成分名稱及其含量", content: {} }));
    renderScreen(<PifItemPage productId={ID} itemNumber={3} />);
    expect(await screen.findByRole("link", { name: "編輯配方表" })).toHaveAttribute("href", `/products/${ID}/formula`);
    expect(screen.queryByRole("button", { name: "儲存內容" })).toBeNull();
  });

  it("starts the AI analysis, follows its task and reloads the item when it is done", async () => {
    const user = userEvent.setup();
    const calls = server(detail(7, "uploaded"));
    renderScreen(<PifItemPage productId={ID} itemNumber={7} />);
    await user.click(await screen.findByRole("button", { name: "AI 分析" }));
    expect(await screen.findByText("分析完成，內容已更新，請審閱。")).toBeInTheDocument();
    expect(calls).toContainEqual({ method: "POST", path: `/api/v1/products/${ID}/pif/analyze`, body: { item_numbers: [7] } });
    await vi.waitFor(() =>
      expect(calls.filter((c) => c.method === "GET" && c.path.endsWith("/pif/7"))).toHaveLength(2),
    );
  });

  it("shows, on opening, the analysis still running for the item (after a reload, or a colleague's)", async () => {
    server(detail(7, "ai_processing"), [RUNNING]);
    renderScreen(<PifItemPage productId={ID} itemNumber={7} />);
    expect(await screen.findByText("AI 分析 · 進度 30%")).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "AI 分析" })).toHaveAttribute("aria-valuenow", "30");
  });

  it("says so when the product or item does not exist", async () => {
    server(null);
    renderScreen(<PifItemPage productId={ID} itemNumber={17} />);
    expect(await screen.findByRole("alert")).toHaveTextContent("找不到此產品或項目。");
  });
});
