import { screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import { SaPendingPage } from "./SaPending";

function review(n: number, name: string, minConfidence: number | null) {
  return {
    id: `3f1c2a9e-0000-4000-8000-00000000010${n}`,
    org_id: "3f1c2a9e-0000-4000-8000-0000000000aa",
    product_id: `3f1c2a9e-0000-4000-8000-00000000020${n}`,
    product_name: name,
    status: "pending",
    assigned_sa_id: null,
    submitted_at: "2026-12-01T08:00:00Z",
    submissions: 1,
    min_confidence: minConfidence,
    external: n === 2,
    final_assessment: null,
    signature: null,
  };
}

function answer(body: unknown) {
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>(async () => json(200, body)),
  );
}

describe("the Safety Assessor's pending queue", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("lists the reviews in the API's order with their confidence colour", async () => {
    const items = [review(1, "紅色產品", 0.3), review(2, "黃色產品", 0.6), review(3, "綠色產品", 0.85)];
    answer({ items, total: 3, limit: 100, offset: 0 });
    renderScreen(<SaPendingPage />);

    const links = await screen.findAllByRole("link");
    expect(links.map((link) => link.textContent)).toEqual(["紅色產品", "黃色產品", "綠色產品"]);
    expect(links[0]).toHaveAttribute("href", `/sa/reviews/${items[0]!.id}`);
    expect(within(screen.getByTestId(`review-${items[0]!.id}`)).getByText("低 30%")).toHaveClass("bg-red-100");
    expect(within(screen.getByTestId(`review-${items[1]!.id}`)).getByText("中 60%")).toHaveClass("bg-amber-100");
    expect(within(screen.getByTestId(`review-${items[2]!.id}`)).getByText("高 85%")).toHaveClass(
      "bg-emerald-100",
    );
    expect(screen.getByText("(外部委託)")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "3 件待審" })).toBeInTheDocument();
  });

  it("says so when nothing is waiting", async () => {
    answer({ items: [], total: 0, limit: 100, offset: 0 });
    renderScreen(<SaPendingPage />);
    expect(await screen.findByText("目前沒有待審的 PIF。")).toBeInTheDocument();
  });

  it("shows the API's error as a message", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn<typeof fetch>(async () =>
        json(403, { error: { code: "sa_role_required", message: "Only a Safety Assessor.", details: null } }),
      ),
    );
    renderScreen(<SaPendingPage />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Only a Safety Assessor.");
  });
});
