import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen, taskRead } from "@/test-utils";

import { AnalysisPage } from "./AnalysisPage";
import { API_ERROR, CLAIMS, PRODUCT_ID, SAFETY, stubApi } from "./fixtures/api";

const base = `/api/v1/products/${PRODUCT_ID}`;
const TASK_ID = "3f1c2a9e-0000-4000-8000-000000000777";

function task(status: string, progress: number, message: string | null) {
  return taskRead(TASK_ID, status, progress, { kind: "safety.assess", progress_message: message });
}

beforeEach(async () => {
  await i18n.changeLanguage("zh-TW");
});
afterEach(() => vi.unstubAllGlobals());

describe("the safety assessment", () => {
  it("shows each ingredient's MoS, its result in words, the ladder rung and its sources", async () => {
    stubApi();
    renderScreen(<AnalysisPage productId={PRODUCT_ID} initialTab="safety" />);
    const salicylic = await screen.findByTestId("safety-row-0");
    expect(within(salicylic).getByRole("rowheader")).toHaveTextContent("SALICYLIC ACIDCAS 69-72-7");
    expect(within(salicylic).getByText("0.5%")).toBeInTheDocument();
    expect(within(salicylic).getByText("0.06035")).toBeInTheDocument(); // SED
    expect(within(salicylic).getByText("75")).toBeInTheDocument(); // NOAEL
    expect(within(salicylic).getByText("1243")).toBeInTheDocument(); // MoS
    expect(within(salicylic).getByText("通過")).toHaveClass("bg-emerald-100");
    expect(within(salicylic).getByText("數值 NOAEL")).toBeInTheDocument();
    expect(
      within(salicylic).getByRole("link", { name: /^SCCS Opinion on salicylic acid \(CAS 69-72-7\)/ }),
    ).toHaveAttribute("href", "https://rootbymenda.pages.dev/sccs/sccnfp-0522-01-final");

    const water = screen.getByTestId("safety-row-1");
    expect(within(water).getByText("未通過")).toHaveClass("bg-red-100");
    expect(within(water).getByText("TTC 篩選（Cramer 分類）")).toBeInTheDocument();
    expect(screen.getByText(/結論: 需安全評估人員判斷/)).toBeInTheDocument();
    expect(screen.getByText("尚未保存評估：以下為依目前配方即時計算的結果（未保存）。")).toBeInTheDocument();
  });

  it("runs the assessment as a task, shows its progress, then a notice and the new table", async () => {
    let polls = 0;
    const calls = stubApi(({ method, path }) => {
      if (method === "POST" && path === `${base}/safety/assess`) {
        return json(202, { task_id: TASK_ID, kind: "safety.assess" });
      }
      if (path === `/api/v1/tasks/${TASK_ID}`) {
        polls += 1;
        return json(200, polls === 1 ? task("processing", 20, "assessing the formula") : task("done", 100, null));
      }
      return undefined;
    });
    renderScreen(<AnalysisPage productId={PRODUCT_ID} initialTab="safety" />);
    await screen.findByTestId("safety-row-0");
    await userEvent.click(screen.getByRole("button", { name: "執行安全評估" }));

    expect(await screen.findByText("安全評估 · 進度 20% · assessing the formula")).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "安全評估" })).toHaveAttribute("aria-valuenow", "20");
    expect(
      await screen.findByText("安全評估完成，已更新下表。", {}, { timeout: 5000 }),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(calls.filter((c) => c.method === "GET" && c.path === `${base}/safety`)).toHaveLength(2),
    );
  });

  it("says why a task failed", async () => {
    stubApi(({ method, path }) => {
      if (method === "POST" && path === `${base}/toxicology`) {
        return json(202, { task_id: TASK_ID, kind: "toxicology.batch" });
      }
      if (path === `/api/v1/tasks/${TASK_ID}`) {
        return json(200, { ...task("failed", 40, null), error: "every source failed" });
      }
      return undefined;
    });
    renderScreen(<AnalysisPage productId={PRODUCT_ID} initialTab="safety" />);
    await screen.findByTestId("safety-row-0");
    await userEvent.click(screen.getByRole("button", { name: "蒐集毒理資料" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("毒理資料蒐集失敗：every source failed");
  });

  it("says so when the formula has no ingredient", async () => {
    stubApi(({ path }) => (path === `${base}/safety` ? json(200, { ...SAFETY, ingredients: [] }) : undefined));
    renderScreen(<AnalysisPage productId={PRODUCT_ID} initialTab="safety" />);
    expect(await screen.findByText("配方中沒有成分可評估。")).toBeInTheDocument();
  });

  it("shows the API's error", async () => {
    stubApi(({ path }) => (path === `${base}/safety` ? json(500, API_ERROR) : undefined));
    renderScreen(<AnalysisPage productId={PRODUCT_ID} initialTab="safety" />);
    expect(await screen.findByRole("alert")).toHaveTextContent("數據庫暫時無法使用");
  });
});

describe("the claims check", () => {
  async function checkLabel() {
    let record: Record<string, unknown> | null = null;
    const calls = stubApi(({ method, path, body }) => {
      if (method === "POST" && path === `${base}/claims/check`) return json(200, CLAIMS.answer);
      if (method === "POST" && path === `${base}/claims/acknowledge`) {
        record = {
          id: "3f1c2a9e-0000-4000-8000-000000000888",
          product_id: PRODUCT_ID,
          acknowledged_at: "2026-12-02T08:30:00Z",
          acknowledged_by: null,
          verdict: "red",
          corpus_sha256: "0".repeat(64),
          result_sha256: (body as { result_sha256: string }).result_sha256,
          result: CLAIMS.answer.result,
        };
        return json(201, record);
      }
      if (path === `${base}/claims/acknowledgement`) return json(200, { latest: record });
      return undefined;
    });
    renderScreen(<AnalysisPage productId={PRODUCT_ID} initialTab="claims" />);
    await userEvent.type(await screen.findByLabelText("標籤文字"), CLAIMS.label_text);
    await userEvent.click(screen.getByRole("button", { name: "檢查宣稱" }));
    return calls;
  }

  it("shows each claim's colour in words with its reason and citation, and the label's elements", async () => {
    const calls = await checkLabel();
    const use = await screen.findByTestId("claim-1");
    expect(within(use).getAllByText("紅：違規")[0]).toHaveClass("bg-red-100");
    expect(within(use).getByText("保濕、滋潤肌膚、治療青春痘")).toBeInTheDocument();
    expect(within(use).getByText(/「治療」：涉及醫療效能（認定準則第5條第1款之用語）/)).toBeInTheDocument();
    expect(within(use).getByText("依據: 認定準則第5條第1款（治療）")).toBeInTheDocument();
    expect(within(screen.getByTestId("claim-0")).getAllByText("綠：可使用")[0]).toHaveClass("bg-emerald-100");
    expect(within(screen.getByTestId("element-product_name")).getByText("已標示")).toBeInTheDocument();
    expect(within(screen.getByTestId("element-usage")).getByText("缺少")).toHaveClass("bg-red-100");
    expect(calls.find((c) => c.path.endsWith("/claims/check"))?.body).toEqual({
      label_text: CLAIMS.label_text,
      from_upload: false,
    });
  });

  it("acknowledges exactly the result shown and says it is acknowledged", async () => {
    const calls = await checkLabel();
    await screen.findByTestId("claim-1");
    expect(screen.getByText("尚未確認此結果。")).toBeInTheDocument();
    expect(screen.getByText("尚未確認過宣稱檢查結果。")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "確認" }));

    expect(await screen.findByText(/^已確認（/)).toHaveTextContent(CLAIMS.answer.result_sha256.slice(0, 12));
    expect(calls.find((c) => c.path.endsWith("/claims/acknowledge"))?.body).toEqual({
      label_text: CLAIMS.label_text,
      from_upload: false,
      result_sha256: CLAIMS.answer.result_sha256,
    });
    expect(screen.getByRole("button", { name: "確認" })).toBeDisabled();
    // The stored state is read again: what the consistency check now goes by.
    const stored = await screen.findByTestId("claims-stored");
    expect(stored).toHaveTextContent(/^最近一次確認的結果/);
    expect(within(stored).getByText("紅：違規")).toBeInTheDocument();
  });

  it("says the answer changed when the API refuses the acknowledgement", async () => {
    stubApi(({ path }) => {
      if (path.endsWith("/claims/check")) return json(200, CLAIMS.answer);
      if (path.endsWith("/claims/acknowledge")) {
        return json(409, {
          error: { code: "claims_result_changed", message: "The check's answer is no longer the one shown", details: {} },
        });
      }
      return undefined;
    });
    renderScreen(<AnalysisPage productId={PRODUCT_ID} initialTab="claims" />);
    await userEvent.type(await screen.findByLabelText("標籤文字"), CLAIMS.label_text);
    await userEvent.click(screen.getByRole("button", { name: "檢查宣稱" }));
    await userEvent.click(await screen.findByRole("button", { name: "確認" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("檢查結果已變更");
    expect(screen.getByText("尚未確認此結果。")).toBeInTheDocument();
  });

  it("checks item 4's saved label when chosen, and shows the API's refusal", async () => {
    const calls = stubApi(({ path }) =>
      path.endsWith("/claims/check")
        ? json(409, { error: { code: "no_label", message: "Item 4 has no label content", details: null } })
        : undefined,
    );
    renderScreen(<AnalysisPage productId={PRODUCT_ID} initialTab="claims" />);
    await userEvent.click(await screen.findByRole("radio", { name: "第 4 項已存內容" }));
    expect(screen.queryByLabelText("標籤文字")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "檢查宣稱" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Item 4 has no label content");
    expect(calls.find((c) => c.path.endsWith("/claims/check"))?.body).toEqual({ from_upload: false });
  });
});
