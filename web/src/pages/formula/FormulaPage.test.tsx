import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import { FormulaPage } from "./FormulaPage";

const ID = "3f1c2a9e-0000-4000-8000-000000000001";
const PRODUCT = { id: ID, name: "玻尿酸保濕精華液", product_type: "leave_on_face", pif_status: "draft" };

function row(n: number, inci: string, concentration: number | null, extra: Record<string, unknown> = {}) {
  return {
    id: `row-${n}`,
    ingredient_id: null,
    raw_name: inci,
    inci,
    zh_name: null,
    zh_name_source: null,
    cas: null,
    concentration,
    is_balance: false,
    function: null,
    sort_order: n,
    confidence: { row: 1.0 },
    match_method: "exact",
    flagged: false,
    notes: [],
    source: "extraction",
    updated_at: "2026-12-01T08:00:00Z",
    ...extra,
  };
}

const FORMULA = {
  product_id: ID,
  items: [
    row(0, "WATER", 93.8, { is_balance: true, zh_name: "水", zh_name_source: "dictionary" }),
    row(1, "PHENOXYETHANOL", 1.2, { cas: "122-99-6", function: "preservative", confidence: { row: 0.62 }, match_method: "fuzzy" }),
    row(2, "GLYCERIN", 5, { confidence: { row: 0.3 }, match_method: "unknown", zh_name: "丙三醇", zh_name_source: "operator" }),
  ],
  total: 100,
  confidence: 0.64,
  findings: [],
};

const OVER_LIMIT = {
  severity: "high",
  ingredient: "PHENOXYETHANOL",
  rule: "over_limit",
  authority: "TFDA",
  list_type: "preservative",
  limit_pct: 1,
  actual_pct: 1.2,
  citation: "TFDA preservatives No. 35",
  message: "PHENOXYETHANOL 1.2% exceeds the 1% limit",
  rows: [1],
};

function compliance(findings: unknown[]) {
  return {
    product_type: "leave_on_face",
    children_under_3: false,
    findings,
    resolved: [],
    summary: {},
    store_version: "v1",
    alerts: [],
    alerts_total: 0,
  };
}

type Handler = (request: Request) => Response | Promise<Response>;

function serve(routes: { put?: Handler; formula?: unknown; findings?: unknown[] }) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  let findings = routes.findings ?? [OVER_LIMIT];
  const fetchMock = vi.fn<typeof fetch>(async (input) => {
    const request = input as Request;
    const path = new URL(request.url).pathname;
    const body: unknown = request.method === "GET" ? null : await request.clone().json();
    calls.push({ method: request.method, path, body });
    if (path.endsWith("/ingredients") && request.method === "PUT") {
      const response = await routes.put!(request);
      if (response.ok) findings = [];
      return response;
    }
    if (path.endsWith("/ingredients")) return json(200, routes.formula ?? FORMULA);
    if (path.endsWith("/compliance")) return json(200, compliance(findings));
    if (path.endsWith("/check-formula")) {
      // The new row (index 3) over a limit; the resolution of each row as checked.
      const resolved = ["WATER", "PHENOXYETHANOL", "GLYCERIN", "SALICYLIC ACID"].map((inci) => ({
        input: inci, inci_name: inci, cas: null, match: "exact", confidence: 1, entries: [], notes: [],
      }));
      return json(200, { ...compliance([{ ...OVER_LIMIT, ingredient: "Salicylic acid", rows: [3] }]), resolved });
    }
    return json(200, PRODUCT);
  });
  vi.stubGlobal("fetch", fetchMock);
  return calls;
}

const cell = (row: number, column: string) => screen.getByLabelText(`第 ${row} 列 ${column}`);

describe("the formula table", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows each row's cells, match and confidence band, and the finding next to its row", async () => {
    serve({});
    renderScreen(<FormulaPage productId={ID} />);

    expect(await screen.findByRole("heading", { name: "配方表（第 3 項）" })).toBeInTheDocument();
    expect(cell(2, "INCI 名稱")).toHaveValue("PHENOXYETHANOL");
    expect(cell(2, "CAS 號")).toHaveValue("122-99-6");
    expect(cell(1, "濃度 (%)")).toHaveValue("q.s.");
    const second = screen.getByTestId("formula-row-2");
    expect(within(second).getByText("近似")).toBeInTheDocument();
    expect(within(second).getByText("中 62%")).toHaveClass("bg-amber-100");
    expect(within(screen.getByTestId("formula-row-3")).getByText("低 30%")).toHaveClass("bg-red-100");
    // The dictionary's Chinese name is the hint; the operator's is the value.
    expect(cell(1, "中文名稱")).toHaveValue("");
    expect(cell(1, "中文名稱")).toHaveAttribute("placeholder", "水");
    expect(cell(3, "中文名稱")).toHaveValue("丙三醇");

    const findings = await screen.findByTestId("formula-findings-2");
    expect(within(findings).getByText(/exceeds the 1% limit/)).toBeInTheDocument();
    expect(screen.queryByTestId("formula-findings-1")).not.toBeInTheDocument();
    expect(screen.queryByTestId("formula-findings-3")).not.toBeInTheDocument();
    expect(cell(2, "濃度 (%)")).toHaveAttribute("aria-describedby", expect.stringContaining("formula-findings"));
  });

  it("follows the total as typed and warns when it is not about 100 %", async () => {
    serve({});
    const user = userEvent.setup();
    renderScreen(<FormulaPage productId={ID} />);
    const total = await screen.findByTestId("formula-total");
    expect(total).toHaveTextContent("總濃度：100%");
    expect(total).not.toHaveTextContent("不在 100%");

    const water = cell(1, "濃度 (%)");
    await user.clear(water);
    await user.type(water, "80");
    expect(total).toHaveTextContent("總濃度：86.2%");
    expect(total).toHaveTextContent("總濃度 86.2% 不在 100% ± 2% 範圍內");
  });

  it("saves the typed values and refreshes the findings", async () => {
    const calls = serve({
      put: () => json(200, { ...FORMULA, items: [FORMULA.items[0], { ...FORMULA.items[1], concentration: 0.9 }, FORMULA.items[2]] }),
    });
    const user = userEvent.setup();
    renderScreen(<FormulaPage productId={ID} />);
    await screen.findByTestId("formula-findings-2");

    const phenoxy = cell(2, "濃度 (%)");
    await user.clear(phenoxy);
    await user.type(phenoxy, "0.9");
    await user.type(cell(2, "中文名稱"), "苯氧乙醇");
    await user.click(screen.getByRole("button", { name: "儲存配方" }));

    expect(await screen.findByText("配方已儲存，合規檢查已更新。")).toBeInTheDocument();
    const put = calls.find((c) => c.method === "PUT");
    expect(put?.body).toEqual({
      rows: [
        { name: "WATER", raw_name: "WATER", zh_name: null, cas: null, concentration: "q.s.", function: null },
        { name: "PHENOXYETHANOL", raw_name: "PHENOXYETHANOL", zh_name: "苯氧乙醇", cas: "122-99-6", concentration: 0.9, function: "preservative" },
        { name: "GLYCERIN", raw_name: "GLYCERIN", zh_name: "丙三醇", cas: null, concentration: 5, function: null },
      ],
    });
    await waitFor(() => expect(screen.queryByTestId("formula-findings-2")).not.toBeInTheDocument());
    expect(calls.filter((c) => c.path.endsWith("/compliance")).length).toBeGreaterThanOrEqual(2);
  });

  it("shows a 422 at its row and field and keeps the edits", async () => {
    serve({
      put: () =>
        json(422, {
          error: {
            code: "formula_rows_invalid",
            message: "1 problem(s) in the ingredient rows: row 2 cas: CAS 122-99-7 fails its check digit",
            details: [{ row: 1, field: "cas", message: "CAS 122-99-7 fails its check digit" }],
          },
        }),
    });
    const user = userEvent.setup();
    renderScreen(<FormulaPage productId={ID} />);
    const cas = await screen.findByLabelText("第 2 列 CAS 號");
    await user.clear(cas);
    await user.type(cas, "122-99-7");
    await user.click(screen.getByRole("button", { name: "儲存配方" }));

    expect(await screen.findByText("CAS 122-99-7 fails its check digit")).toBeInTheDocument();
    expect(cell(2, "CAS 號")).toHaveAttribute("aria-invalid", "true");
    expect(cell(2, "CAS 號")).toHaveValue("122-99-7");
    expect(cell(1, "CAS 號")).not.toHaveAttribute("aria-invalid");
    expect(screen.getByRole("alert")).toHaveTextContent("請查看標示的 1 個欄位");
  });

  it("adds and removes rows", async () => {
    const calls = serve({ put: () => json(200, FORMULA) });
    const user = userEvent.setup();
    renderScreen(<FormulaPage productId={ID} />);
    await screen.findByLabelText("第 3 列 INCI 名稱");

    await user.click(screen.getByRole("button", { name: "新增成分" }));
    const added = cell(4, "INCI 名稱");
    expect(added).toHaveFocus();
    await user.type(added, "Niacinamide");
    await user.type(cell(4, "濃度 (%)"), "2");
    await user.click(screen.getByRole("button", { name: "刪除第 1 列" }));

    expect(screen.queryByLabelText("第 4 列 INCI 名稱")).not.toBeInTheDocument();
    expect(cell(1, "INCI 名稱")).toHaveValue("PHENOXYETHANOL");
    expect(cell(3, "INCI 名稱")).toHaveValue("Niacinamide");
    // The finding follows its row when the rows above it move.
    expect(within(screen.getByTestId("formula-findings-1")).getByText(/exceeds/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "儲存配方" }));
    await screen.findByText("配方已儲存，合規檢查已更新。");
    const put = calls.find((c) => c.method === "PUT")?.body as { rows: { name: string }[] };
    expect(put.rows.map((r) => r.name)).toEqual(["PHENOXYETHANOL", "GLYCERIN", "Niacinamide"]);
  });

  it("checks the unsaved edits and shows each finding at the row checked", async () => {
    const calls = serve({});
    const user = userEvent.setup();
    renderScreen(<FormulaPage productId={ID} />);
    await screen.findByTestId("formula-findings-2");

    await user.click(screen.getByRole("button", { name: "新增成分" }));
    await user.type(cell(4, "INCI 名稱"), "Salicylic acid");
    await user.type(cell(4, "濃度 (%)"), "3");
    await user.click(screen.getByRole("button", { name: "檢查未儲存的修改" }));

    const findings = await screen.findByTestId("formula-findings-4");
    expect(within(findings).getByText(/exceeds/)).toBeInTheDocument();
    expect(screen.queryByTestId("formula-findings-2")).not.toBeInTheDocument(); // the live check replaces the saved one
    expect(within(screen.getByTestId("formula-row-4")).getByText("完全相符")).toBeInTheDocument();
    const post = calls.find((c) => c.path.endsWith("/check-formula"))?.body as {
      product_type: string;
      ingredients: { name: string | null; concentration_pct: number | null }[];
    };
    expect(post.product_type).toBe("leave_on_face");
    expect(post.ingredients.map((r) => [r.name, r.concentration_pct])).toEqual([
      ["WATER", 90.8], // q.s.: the remainder
      ["PHENOXYETHANOL", 1.2],
      ["GLYCERIN", 5],
      ["Salicylic acid", 3],
    ]);
    expect(calls.some((c) => c.method === "PUT")).toBe(false); // nothing saved
  });

  it("says when there is no formula yet and points to item 3", async () => {
    serve({ formula: { ...FORMULA, items: [], total: null, confidence: null } });
    renderScreen(<FormulaPage productId={ID} />);
    expect(await screen.findByRole("heading", { name: "尚無配方表" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "前往第 3 項上傳配方檔" })).toHaveAttribute(
      "href",
      `/products/${ID}/items/3`,
    );
  });
});
