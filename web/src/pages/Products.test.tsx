import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import { ProductsPage } from "./Products";

function product(index: number) {
  return {
    id: `3f1c2a9e-0000-4000-8000-${String(index).padStart(12, "0")}`,
    org_id: "3f1c2a9e-0000-4000-8000-0000000000aa",
    name: `精華液 ${index}`,
    name_en: null,
    category: null,
    dosage_form: null,
    intended_use: null,
    manufacturer_name: null,
    manufacturer_address: null,
    notification_number: null,
    sccs_category: null,
    product_type: "lip",
    children_under_3: false,
    pif_status: "draft",
    rag_kb_id: null,
    created_at: "2026-12-01T08:00:00Z",
    updated_at: "2026-12-01T08:00:00Z",
  };
}

describe("the products screen", () => {
  const requests: URL[] = [];
  beforeEach(async () => {
    requests.length = 0;
    await i18n.changeLanguage("zh-TW");
    vi.stubGlobal(
      "fetch",
      vi.fn<typeof fetch>(async (input) => {
        const url = new URL((input as Request).url);
        requests.push(url);
        if (url.pathname === "/api/v1/safety/exposure-categories") return json(200, []);
        const items = Array.from({ length: 20 }, (_, index) => product(index));
        return json(200, { items, total: 45, limit: 20, offset: 0 });
      }),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it("asks the API for the filtered page and pages through the rest", async () => {
    const user = userEvent.setup();
    const router = renderScreen(<ProductsPage filters={{ q: "精華", status: "draft" }} />);

    expect(await screen.findByText("精華液 0")).toBeInTheDocument();
    const list = requests.find((url) => url.pathname === "/api/v1/products")!;
    expect(Object.fromEntries(list.searchParams)).toEqual({
      q: "精華",
      status: "draft",
      limit: "20",
      offset: "0",
    });
    expect(screen.getByText("第 1–20 筆，共 45 筆")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "上一頁" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "下一頁" }));
    expect(router.state.location.pathname).toBe("/products");
    expect(router.state.location.search).toEqual({ q: "精華", status: "draft", offset: 20 });
  });

  it("a new search drops the page and keeps the chosen status", async () => {
    const user = userEvent.setup();
    const router = renderScreen(<ProductsPage filters={{ offset: 20 }} />);
    await screen.findByText("精華液 0");
    await user.selectOptions(screen.getByRole("combobox", { name: "PIF 狀態" }), "signed");
    await user.type(screen.getByRole("textbox", { name: "搜尋名稱" }), "乳液");
    await user.click(screen.getByRole("button", { name: "搜尋" }));
    expect(router.state.location.search).toEqual({ q: "乳液", status: "signed" });
  });
});
