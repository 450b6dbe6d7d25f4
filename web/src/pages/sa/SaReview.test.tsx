import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import { SaReviewPage } from "./SaReview";

const ID = "3f1c2a9e-0000-4000-8000-000000000101";
const bilingual = (zh: string, en: string) => ({ "zh-TW": zh, en });

function item(number: number, confidence: number | null) {
  return {
    item_number: number,
    name_zh: `第${number}項`,
    name_en: `Item ${number}`,
    status: "ai_draft_ready",
    confidence,
    confidence_band: null,
    content: {},
    files: [],
  };
}

function alert(severity: string, zh: string, en: string) {
  return { rule_id: `rule-${severity}`, severity, items: [3], message: bilingual(zh, en), legal: null, details: {} };
}

function detail(alerts: unknown[]) {
  return {
    id: ID,
    org_id: "3f1c2a9e-0000-4000-8000-0000000000aa",
    product_id: "3f1c2a9e-0000-4000-8000-000000000201",
    product_name: "玻尿酸保濕精華液",
    status: "in_review",
    assigned_sa_id: null,
    submitted_at: "2026-12-01T08:00:00Z",
    submissions: 1,
    min_confidence: 0.4,
    external: false,
    final_assessment: null,
    signature: null,
    engine_assessment: {
      product: bilingual("產品說明草稿", "Product draft"),
      conclusion: bilingual("結論草稿：預期不致危害人體健康", "Draft conclusion"),
    },
    items: [item(3, 0.4), item(16, 0.9)],
    comments: [
      {
        id: "3f1c2a9e-0000-4000-8000-000000000301",
        item_number: 3,
        kind: "revision",
        body: "請補上防腐劑濃度",
        author_id: null,
        author_name: "林安全",
        created_at: "2026-12-01T09:00:00Z",
      },
    ],
    consistency: { signable: alerts.length === 0, alerts },
    safety: null,
    findings: [],
  };
}

type Call = { method: string; path: string; totp: string | null; body: unknown };

function serve(review: unknown, action: (call: Call) => Response = () => json(200, {})) {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>(async (input) => {
      const request = input as Request;
      const path = new URL(request.url).pathname;
      if (request.method === "GET") return json(200, review);
      const call = {
        method: request.method,
        path,
        totp: request.headers.get("x-totp-code"),
        body: JSON.parse(await request.text()) as unknown,
      };
      calls.push(call);
      return action(call);
    }),
  );
  return calls;
}

describe("the review screen", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows the draft beside the final assessment, the items and their comments", async () => {
    serve(detail([]));
    renderScreen(<SaReviewPage reviewId={ID} />);

    expect(await screen.findByRole("heading", { name: "玻尿酸保濕精華液" })).toBeInTheDocument();
    expect(within(screen.getByTestId("engine-draft")).getByText(/結論草稿/)).toBeInTheDocument();
    expect(screen.getByLabelText("安全評估人員之最終評估")).toHaveValue("");
    const third = screen.getByTestId("review-item-3");
    expect(within(third).getByText("低 40%")).toHaveClass("bg-red-100");
    expect(within(third).getByText("請補上防腐劑濃度")).toBeInTheDocument();
    expect(within(screen.getByTestId("review-item-16")).getByText("高 90%")).toHaveClass("bg-emerald-100");
    expect(screen.queryByTestId("signing-refused")).toBeNull();
    expect(screen.queryByLabelText("改善計畫")).toBeNull();
  });

  it("gives the blocking alerts as the reason signing is refused, and the API's refusal", async () => {
    const user = userEvent.setup();
    const calls = serve(detail([alert("blocking", "標籤成分與配方不符", "Label differs")]), () =>
      json(409, { error: { code: "signing_blocked", message: "1 blocking alert", details: null } }),
    );
    renderScreen(<SaReviewPage reviewId={ID} />);

    expect(await screen.findByTestId("signing-refused")).toHaveTextContent("無法簽署：1 項阻擋警示尚未解決");
    expect(screen.getByTestId("signing-refused")).toHaveTextContent("標籤成分與配方不符");

    await user.click(screen.getByRole("button", { name: "簽署" }));
    expect(await screen.findByText("請輸入 6 位數字")).toBeInTheDocument();
    expect(calls).toHaveLength(0);

    await user.type(screen.getByLabelText("驗證碼"), "123456");
    await user.type(screen.getByLabelText("安全評估人員之最終評估"), "可接受");
    await user.click(screen.getByRole("button", { name: "簽署" }));
    expect(await screen.findByText("尚有阻擋簽署的一致性警示，無法簽署。")).toBeInTheDocument();
    expect(calls[0]).toMatchObject({
      path: `/api/v1/sa/reviews/${ID}/sign`,
      totp: "123456",
      body: { final_assessment: "可接受", remediation_plan: null },
    });
  });

  it("asks for the remediation plan when error alerts are open and sends it with the signature", async () => {
    const user = userEvent.setup();
    const calls = serve(detail([alert("error", "缺少警語", "Warning missing")]), () =>
      json(200, { review: {}, version: 1, snapshot_sha256: "ab" }),
    );
    renderScreen(<SaReviewPage reviewId={ID} />);

    await user.type(await screen.findByLabelText("改善計畫"), "下批標籤補印警語");
    await user.type(screen.getByLabelText("驗證碼"), "654321");
    await user.click(screen.getByRole("button", { name: "簽署" }));
    expect(await screen.findByText("已簽署。")).toBeInTheDocument();
    expect(calls[0]?.body).toMatchObject({ remediation_plan: "下批標籤補印警語" });
    expect(screen.getByLabelText("驗證碼")).toHaveValue(""); // a code is good once
  });

  it("requests a revision with the comments and the items sent back", async () => {
    const user = userEvent.setup();
    const calls = serve(detail([]));
    renderScreen(<SaReviewPage reviewId={ID} />);

    await user.click(await screen.findByRole("button", { name: "退回修改" }));
    expect(await screen.findByText("請至少寫一則意見")).toBeInTheDocument();
    expect(calls).toHaveLength(0);

    await user.type(screen.getByLabelText("第 3 項的意見"), "濃度超過限量");
    await user.click(screen.getByLabelText("退回第 3 項"));
    await user.click(screen.getByRole("button", { name: "退回修改" }));
    expect(await screen.findByText("已退回業者修改。")).toBeInTheDocument();
    expect(calls[0]).toMatchObject({
      path: `/api/v1/sa/reviews/${ID}/revision`,
      body: { comments: [{ item_number: 3, body: "濃度超過限量" }], items: [3] },
    });
  });

  it("saves the final assessment with a two-factor code and shows a wrong code", async () => {
    const user = userEvent.setup();
    const calls = serve(detail([]), () =>
      json(401, { error: { code: "totp_invalid", message: "bad code", details: null } }),
    );
    renderScreen(<SaReviewPage reviewId={ID} />);

    await user.type(await screen.findByLabelText("安全評估人員之最終評估"), "草稿");
    await user.type(screen.getByLabelText("驗證碼"), "111111");
    await user.click(screen.getByRole("button", { name: "儲存修改" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("驗證碼錯誤或已使用過。");
    expect(calls[0]).toMatchObject({ method: "PUT", totp: "111111", body: { final_assessment: "草稿" } });
  });
});
