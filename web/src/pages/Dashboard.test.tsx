import { screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import { DashboardPage } from "./Dashboard";

const PRODUCT = {
  id: "3f1c2a9e-0000-4000-8000-000000000001",
  org_id: "3f1c2a9e-0000-4000-8000-0000000000aa",
  name: "玻尿酸保濕精華液",
  name_en: null,
  category: null,
  dosage_form: null,
  intended_use: null,
  manufacturer_name: null,
  manufacturer_address: null,
  notification_number: null,
  sccs_category: null,
  product_type: "leave_on_face",
  children_under_3: false,
  pif_status: "draft",
  rag_kb_id: null,
  created_at: "2026-12-01T08:00:00Z",
  updated_at: "2026-12-01T08:00:00Z",
};
const EMPTY_PAGE = { items: [], total: 0, limit: 5, offset: 0 };

/** The API as the dashboard sees it, one answer per path. */
function api(answers: Record<string, Response>) {
  return vi.fn<typeof fetch>(async (input) => {
    const path = new URL((input as Request).url).pathname;
    const answer = answers[path];
    if (!answer) throw new Error(`unexpected request ${path}`);
    return answer.clone();
  });
}

describe("the dashboard", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows each product's PIF progress and what is left", async () => {
    vi.stubGlobal(
      "fetch",
      api({
        "/api/v1/products": json(200, { items: [PRODUCT], total: 1, limit: 50, offset: 0 }),
        [`/api/v1/products/${PRODUCT.id}/pif`]: json(200, {
          product_id: PRODUCT.id,
          progress_percent: 37.5,
          blocking_items: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
          items: [],
          organization_type: "brand",
          stages: [],
        }),
        "/api/v1/compliance/alerts": json(200, EMPTY_PAGE),
        "/api/v1/pif/expiring": json(200, {
          ...EMPTY_PAGE,
          total: 1,
          items: [
            {
              product_id: PRODUCT.id,
              product_name: PRODUCT.name,
              item_number: 5,
              kind: "gmp_certificate",
              based_on: "2025-12-20",
              due_on: "2026-12-20",
              days_left: 18,
              state: "expiring",
              reference: null,
              message_zh: "GMP 證明將於 18 天後到期",
              message_en: "The GMP certificate expires in 18 days",
            },
          ],
        }),
      }),
    );
    renderScreen(<DashboardPage />);

    const bar = await screen.findByRole("progressbar", { name: /玻尿酸保濕精華液/ });
    expect(bar).toHaveAttribute("aria-valuenow", "38");
    expect(screen.getByText(/10 項待完成/)).toBeInTheDocument();
    expect(screen.getByText("共 1 個產品")).toBeInTheDocument();
    expect(await screen.findByText("沒有未確認的合規警示。")).toBeInTheDocument();
    const expiring = screen.getByText("GMP 證明將於 18 天後到期").closest("li")!;
    expect(within(expiring).getByText("即將到期")).toBeInTheDocument();
    expect(within(expiring).getByText(/第 5 項/)).toBeInTheDocument();
  });

  it("offers to create the first product, and shows a failed list as a message", async () => {
    vi.stubGlobal(
      "fetch",
      api({
        "/api/v1/products": json(200, { ...EMPTY_PAGE, limit: 50 }),
        "/api/v1/compliance/alerts": json(403, {
          error: { code: "forbidden", message: "Not for this role.", details: null },
        }),
        "/api/v1/pif/expiring": json(200, EMPTY_PAGE),
      }),
    );
    renderScreen(<DashboardPage />);

    expect(await screen.findByRole("link", { name: "建立第一個產品" })).toHaveAttribute(
      "href",
      "/products",
    );
    expect(await screen.findByRole("alert")).toHaveTextContent("Not for this role.");
    expect(screen.getByText("近期沒有即將到期的文件。")).toBeInTheDocument();
  });
});
