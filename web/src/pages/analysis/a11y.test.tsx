import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import { AnalysisPage } from "./AnalysisPage";
import type { Tab } from "./tabs";
import { CLAIMS, PRODUCT_ID, stubApi } from "./fixtures/api";

// jsdom has no layout, so colour contrast is left to the browser tests (axe in Playwright).
async function seriousViolations() {
  const result = await axe.run(document.body, { rules: { "color-contrast": { enabled: false } } });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(" | ")}`);
}

beforeEach(async () => {
  await i18n.changeLanguage("zh-TW");
});
afterEach(() => vi.unstubAllGlobals());

describe("the analysis screen's accessibility", () => {
  it.each<[Tab, string]>([
    ["compliance", "法規合規發現"],
    ["safety", "安全評估（MoS）"],
    ["consistency", "一致性警示"],
  ])("has no serious violation on the %s tab", async (tab, heading) => {
    stubApi();
    renderScreen(<AnalysisPage productId={PRODUCT_ID} initialTab={tab} />);
    await screen.findByRole("heading", { name: heading });
    await screen.findByRole(tab === "consistency" ? "list" : "table");
    expect(await seriousViolations()).toEqual([]);
  });

  it("has no serious violation with a claims check shown", async () => {
    stubApi(({ path }) => (path.endsWith("/claims/check") ? json(200, CLAIMS.answer) : undefined));
    renderScreen(<AnalysisPage productId={PRODUCT_ID} initialTab="claims" />);
    await userEvent.type(await screen.findByLabelText("標籤文字"), "品名：乳液");
    await userEvent.click(screen.getByRole("button", { name: "檢查宣稱" }));
    await screen.findByTestId("claim-1");
    expect(await seriousViolations()).toEqual([]);
  });
});
