import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import { AnalysisPage } from "./AnalysisPage";
import { API_ERROR, COMPLIANCE, CONSISTENCY, PRODUCT_ID, stubApi } from "./fixtures/api";

const base = `/api/v1/products/${PRODUCT_ID}`;

beforeEach(async () => {
  await i18n.changeLanguage("zh-TW");
});
afterEach(() => vi.unstubAllGlobals());

describe("the analysis tabs", () => {
  it("move with the arrow keys and show the chosen section", async () => {
    stubApi();
    renderScreen(<AnalysisPage productId={PRODUCT_ID} />);
    const first = await screen.findByRole("tab", { name: "合規檢查" });
    expect(first).toHaveAttribute("aria-selected", "true");
    expect(screen.getByRole("heading", { name: "合規與安全: 玻尿酸保濕精華液" })).toBeInTheDocument();

    first.focus();
    await userEvent.keyboard("{ArrowRight}");
    const safety = screen.getByRole("tab", { name: "安全評估" });
    expect(safety).toHaveFocus();
    expect(safety).toHaveAttribute("aria-selected", "true");
    expect(await screen.findByRole("heading", { name: "安全評估（MoS）" })).toBeInTheDocument();
    await userEvent.keyboard("{End}");
    expect(screen.getByRole("tab", { name: "宣稱檢查" })).toHaveFocus();
    expect(screen.getByRole("heading", { name: "標示宣稱檢查" })).toBeInTheDocument();
    await userEvent.keyboard("{ArrowRight}");
    expect(screen.getByRole("tab", { name: "合規檢查" })).toHaveFocus();
  });
});

describe("compliance findings", () => {
  it("show the severity in words, the ingredient, the rule and the list's citation", async () => {
    stubApi();
    renderScreen(<AnalysisPage productId={PRODUCT_ID} />);
    const table = await screen.findByRole("table");
    const row = within(table).getAllByRole("row")[1]!;
    expect(within(row).getByText("高")).toHaveClass("bg-orange-100");
    expect(within(row).getByText("Cetrimonium chloride")).toBeInTheDocument();
    expect(within(row).getByText("Cetrimonium chloride 0.5% exceeds the TFDA limit 0.1%")).toBeInTheDocument();
    expect(within(row).getByText(/over_limit · 限量 0.1%，配方 0.5%/)).toBeInTheDocument();
    expect(within(row).getByText(/TFDA 衛生福利部「化粧品防腐劑成分名稱及使用限制表」/)).toBeInTheDocument();
    expect(within(row).getByText(/No\. 1 · Alkyl \(C12-22\) trimethyl ammonium/)).toBeInTheDocument();
    expect(within(row).getByText("日期:").closest("p")).toHaveTextContent("日期: 2026-06-25");
    expect(within(row).getByText("TFDA open data preservative list 2026-06-25")).toBeInTheDocument();
  });

  it("say there are none when the formula has no finding", async () => {
    stubApi(({ path }) =>
      path === `${base}/compliance` ? json(200, { ...COMPLIANCE, findings: [] }) : undefined,
    );
    renderScreen(<AnalysisPage productId={PRODUCT_ID} />);
    expect(await screen.findByText("沒有合規發現。")).toBeInTheDocument();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("show the API's error message", async () => {
    stubApi(({ path }) => (path === `${base}/compliance` ? json(500, API_ERROR) : undefined));
    renderScreen(<AnalysisPage productId={PRODUCT_ID} />);
    expect(await screen.findByRole("alert")).toHaveTextContent("發生錯誤：數據庫暫時無法使用");
  });
});

describe("consistency alerts", () => {
  it("show the severity, the items, the message, the Act's articles and the fine range", async () => {
    stubApi();
    renderScreen(<AnalysisPage productId={PRODUCT_ID} initialTab="consistency" />);
    const item = (await screen.findAllByRole("listitem"))[0]!;
    expect(within(item).getByText("阻擋")).toHaveClass("bg-red-100");
    expect(within(item).getByText("相關項目：第 3 項")).toBeInTheDocument();
    expect(within(item).getByText(/第 3 項：Cetrimonium chloride 不符限用規定/)).toBeInTheDocument();
    expect(within(item).getByText("義務條文:").closest("p")).toHaveTextContent(
      "義務條文: 第6條第1項至第3項 (Art 6(1)-(3)) 罰則條文: 第22條第1項第1款 (Art 22(1)(1))",
    );
    expect(within(item).getByText(/NT\$ 20,000 – 5,000,000/)).toBeInTheDocument();
    expect(within(item).getByRole("link", { name: /化粧品衛生安全管理法/ })).toHaveAttribute(
      "href",
      "https://law.moj.gov.tw/LawClass/LawAll.aspx?pcode=L0030013",
    );
    expect(screen.getByText("有阻擋簽署的警示：修正前無法簽署。")).toBeInTheDocument();
  });

  it("show the English message in English", async () => {
    await i18n.changeLanguage("en");
    stubApi();
    renderScreen(<AnalysisPage productId={PRODUCT_ID} initialTab="consistency" />);
    expect(await screen.findByText(/^Item 3: Cetrimonium chloride 0.5% exceeds/)).toBeInTheDocument();
    expect(screen.getByText("Blocking")).toBeInTheDocument();
  });

  it("say there are none", async () => {
    stubApi(({ path }) =>
      path === `${base}/consistency`
        ? json(200, { ...CONSISTENCY, signable: true, alerts: [], counts: {} })
        : undefined,
    );
    renderScreen(<AnalysisPage productId={PRODUCT_ID} initialTab="consistency" />);
    expect(await screen.findByText("沒有一致性警示。")).toBeInTheDocument();
  });

  it("show the API's error message", async () => {
    stubApi(({ path }) => (path === `${base}/consistency` ? json(500, API_ERROR) : undefined));
    renderScreen(<AnalysisPage productId={PRODUCT_ID} initialTab="consistency" />);
    expect(await screen.findByRole("alert")).toHaveTextContent("數據庫暫時無法使用");
  });
});
