import { screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import { ProductPifPage } from "./ProductPif";

const ID = "3f1c2a9e-0000-4000-8000-000000000001";
const PRODUCT = {
  id: ID,
  org_id: "3f1c2a9e-0000-4000-8000-0000000000aa",
  name: "玻尿酸保濕精華液",
  product_type: "leave_on_face",
  pif_status: "draft",
};
const label = (code: string, zh: string, en: string) => ({ code, name_zh: zh, name_en: en });

function item(number: number, status: string, confidence: number | null, band: string | null) {
  return {
    item_number: number,
    name_zh: `第${number}項中文名`,
    name_en: `Item ${number} name`,
    source: "operator",
    status,
    confidence,
    confidence_band: band,
    updated_at: "2026-12-01T08:00:00Z",
    updated_by: null,
    last_error: null,
    files: [],
    allowed_transitions: [],
    provider: { ...label("manufacturer", "製造商", "Manufacturer"), outsourced: true, also: [] },
    stage: label("development", "開發", "Development"),
  };
}

const OVERVIEW = {
  product_id: ID,
  progress_percent: 12.5,
  blocking_items: [1, 3],
  organization_type: "brand",
  items: [item(1, "human_reviewed", 0.91, "green"), item(3, "ai_draft_ready", 0.62, "yellow")],
  stages: [
    { ...label("signing", "簽署", "Signing"), item_numbers: [1] },
    { ...label("development", "開發", "Development"), item_numbers: [3] },
  ],
};

function answer(product: Response) {
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>(async (input) => {
      const path = new URL((input as Request).url).pathname;
      if (path.endsWith("/pif-versions")) return json(200, { items: [] });
      if (path.endsWith("/change-detection")) {
        return json(200, { needs_resign: false, reasons: [], current_version: 0, suggested_next_version: 1 });
      }
      return (path.endsWith("/pif") ? json(200, OVERVIEW) : product).clone();
    }),
  );
}

describe("a product's PIF items", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("lists the items with their status, confidence colour and provider", async () => {
    answer(json(200, PRODUCT));
    renderScreen(<ProductPifPage productId={ID} grouping="number" />);

    expect(await screen.findByRole("heading", { name: "玻尿酸保濕精華液" })).toBeInTheDocument();
    const first = screen.getByTestId("item-1");
    expect(within(first).getByText("第1項中文名")).toBeInTheDocument();
    expect(within(first).getByText("已人工審閱")).toBeInTheDocument();
    expect(within(first).getByText("高 91%")).toHaveClass("bg-emerald-100");
    expect(within(screen.getByTestId("item-3")).getByText("中 62%")).toHaveClass("bg-amber-100");
    expect(within(first).getByText(/製造商/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "配方表" })).toHaveAttribute("href", `/products/${ID}/formula`);
    expect(within(first).getByRole("link", { name: /第1項中文名/ })).toHaveAttribute(
      "href",
      `/products/${ID}/items/1`,
    );
    expect(screen.getByRole("link", { name: "依項次" })).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("link", { name: "合規與安全" })).toHaveAttribute("href", `/products/${ID}/analysis`);
  });

  it("groups the items by lifecycle stage, in English too", async () => {
    await i18n.changeLanguage("en");
    answer(json(200, PRODUCT));
    renderScreen(<ProductPifPage productId={ID} grouping="stage" />);

    const signing = (await screen.findByRole("heading", { name: "Signing" })).closest("section")!;
    expect(within(signing).getByText("Item 1 name")).toBeInTheDocument();
    expect(within(signing).queryByText("Item 3 name")).toBeNull();
    expect(screen.getByRole("heading", { name: "Development" })).toBeInTheDocument();
  });

  it("says the product does not exist when the API answers 404", async () => {
    answer(json(404, { error: { code: "not_found", message: "Product not found", details: null } }));
    renderScreen(<ProductPifPage productId={ID} grouping="number" />);
    expect(await screen.findByRole("alert")).toHaveTextContent("找不到此產品。");
  });
});
