import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { memo, type ComponentProps } from "react";
import { afterEach, beforeEach, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import { FormulaPage } from "./FormulaPage";

// The rows as the editor renders them, counted each time the editor hands a row new props
// (the same shallow comparison as the real row's memo).
const renders = vi.hoisted(() => ({ count: 0 }));
vi.mock("./FormulaRow", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./FormulaRow")>();
  return {
    ...actual,
    FormulaRow: memo(function CountedRow(props: ComponentProps<typeof actual.FormulaRow>) {
      renders.count += 1;
      return <actual.FormulaRow {...props} />;
    }),
  };
});

const ROWS = Array.from({ length: 60 }, (_, n) => ({
  id: `row-${n}`,
  ingredient_id: null,
  raw_name: `Ingredient ${n}`,
  inci: `INGREDIENT ${n}`,
  zh_name: null,
  cas: null,
  concentration: 1,
  is_balance: false,
  function: null,
  sort_order: n,
  confidence: { row: 0.9 },
  match_method: "exact",
  flagged: false,
  notes: [],
  source: "extraction",
  updated_at: "2026-12-01T08:00:00Z",
}));

beforeEach(async () => {
  await i18n.changeLanguage("zh-TW");
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>(async (input) => {
      const path = new URL((input as Request).url).pathname;
      if (path.endsWith("/ingredients")) {
        return json(200, { product_id: "p", items: ROWS, total: 60, confidence: 0.9, findings: [] });
      }
      if (path.endsWith("/compliance")) {
        return json(200, {
          product_type: "leave_on_face",
          children_under_3: false,
          findings: [],
          resolved: [],
          summary: {},
          store_version: "v1",
          alerts: [],
          alerts_total: 0,
        });
      }
      return json(200, { id: "p", name: "P" });
    }),
  );
});
afterEach(() => vi.unstubAllGlobals());

it("renders 60 ingredients and re-renders no row while one is typed in", async () => {
  const user = userEvent.setup();
  renderScreen(<FormulaPage productId="p" />);
  await screen.findByLabelText("第 60 列 INCI 名稱");
  expect(screen.getByTestId("formula-total")).toHaveTextContent("總濃度：60%");

  renders.count = 0;
  const cell = screen.getByLabelText("第 5 列 濃度 (%)");
  await user.clear(cell);
  await user.type(cell, "41");
  expect(screen.getByTestId("formula-total")).toHaveTextContent("總濃度：100%"); // the total follows
  expect(screen.getByText("有未儲存的修改")).toBeInTheDocument(); // the form re-rendered ...
  expect(renders.count).toBe(0); // ... and none of its rows
}, 20_000);
