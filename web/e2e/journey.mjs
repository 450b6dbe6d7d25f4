// The PIF's journey in a real Chromium against a real `pifai serve` and `pifai worker`, one
// phase per run (PHASE), as tests/integration/test_console_journey.py orders them between
// the steps other people take through the API (colleagues' uploads, the SA's account):
//   operator    register, create the product, upload the formula on item 3, the analysis
//               task's progress, the extracted table with its finding, fix a concentration
//   submit      the compliance, safety and consistency screen; submit for review
//   sa-revision the SA signs in with TOTP, opens the review and requests a revision
//   resubmit    the operator sees the request and submits again
//   sa-sign     the SA signs with a new TOTP code
//   pdf         the operator generates the signed PIF's PDF and opens it
//   other-org   another organisation's operator opens the product's URL: not found
// A phase's session (the refresh cookie) is kept in STATE_DIR/<who>.json for the next.
//
// env: PHASE, BASE_URL, STATE_DIR, SCREENSHOTS, CHROMIUM, and per phase: EMAIL, PASSWORD,
// ORG_NAME, PRODUCT_NAME, FORMULA_FILE, PRODUCT_PATH, TOTP_SECRET, TOTP_STEP.
import { writeFileSync } from "node:fs";

import { main, session, timeStepNow, totpAt } from "./lib.mjs";

const env = process.env;
const { BASE_URL, STATE_DIR, SCREENSHOTS } = env;
const stateFile = (who) => `${STATE_DIR}/${who}.json`;

/** A code for a time step after TOTP_STEP (the last one spent): never the same twice. */
function freshCode(result) {
  const spent = Number(env.TOTP_STEP || 0);
  const step = Math.max(timeStepNow() - 1, spent + 1);
  if (step > timeStepNow() + 1) throw new Error("no unspent TOTP code in this window");
  result.totpStep = step;
  return totpAt(env.TOTP_SECRET, step);
}

async function signIn(page, email, password) {
  await page.goto(`${BASE_URL}/sign-in`);
  await page.getByLabel("電子郵件").fill(email);
  await page.getByLabel("密碼").fill(password);
  await page.getByRole("button", { name: "登入", exact: true }).click();
}

/** The 1-based number of the formula row whose INCI name matches ``pattern``. */
async function rowOf(page, pattern) {
  const names = await page
    .locator('input[aria-label$=" 列 INCI 名稱"]')
    .evaluateAll((inputs) => inputs.map((input) => input.value.trim()));
  const index = names.findIndex((name) => pattern.test(name));
  if (index < 0) throw new Error(`no formula row matches ${pattern}: ${names.join(", ")}`);
  return index + 1;
}

const PHASES = {
  async operator({ page, step }, result) {
    await step("journey-registered", async () => {
      await page.goto(`${BASE_URL}/register`);
      await page.getByLabel("組織名稱").fill(env.ORG_NAME);
      await page.getByLabel("組織類型").selectOption("brand");
      await page.getByLabel("您的姓名").fill("陳品管");
      await page.getByLabel("電子郵件").fill(env.EMAIL);
      await page.getByLabel("密碼").fill(env.PASSWORD);
      await page.getByRole("button", { name: "建立帳號", exact: true }).click();
      await page.getByText("驗證連結已寄出").waitFor();
    });
    await step("journey-product-created", async () => {
      await signIn(page, env.EMAIL, env.PASSWORD);
      await page.getByRole("heading", { name: "總覽", exact: true }).waitFor();
      await page.getByRole("link", { name: "產品", exact: true }).click();
      await page.getByLabel("產品名稱").fill(env.PRODUCT_NAME);
      await page.getByLabel("產品類型").selectOption("leave_on_face");
      await page.getByRole("button", { name: "建立", exact: true }).click();
      await page.getByText(`已建立產品「${env.PRODUCT_NAME}」。`).waitFor();
      await page.getByRole("link", { name: env.PRODUCT_NAME }).click();
      await page.getByRole("heading", { name: env.PRODUCT_NAME }).waitFor();
      result.productPath = new URL(page.url()).pathname;
    });
    await step("journey-item-3-uploaded", async () => {
      await page.getByTestId("item-3").getByRole("link").click();
      await page.getByRole("heading", { name: "檔案" }).waitFor();
      await page.locator('input[type="file"]').setInputFiles(env.FORMULA_FILE);
      await page.getByText("「formula.csv」已上傳。").waitFor();
    });
    await step("journey-item-3-analysed", async () => {
      await page.getByRole("button", { name: "AI 分析", exact: true }).click();
      await page.getByText("分析完成，內容已更新，請審閱。").waitFor({ timeout: 90_000 });
    });
    let row = 0;
    await step("journey-formula-finding", async () => {
      await page.getByRole("link", { name: "編輯配方表" }).click();
      await page.getByRole("heading", { name: "配方表（第 3 項）" }).waitFor();
      await page.getByLabel("第 1 列 INCI 名稱").waitFor();
      row = await rowOf(page, /^phenoxyethanol$/i);
      result.formulaRows = await page.locator('[data-testid^="formula-row-"]').count();
      result.findingBefore = await page.getByTestId(`formula-findings-${row}`).innerText();
    });
    await step("journey-formula-fixed", async () => {
      // The preservative from 1.2 % to 0.9 %, the water up by the 0.3 % it gave.
      await page.getByLabel(`第 ${row} 列 濃度 (%)`).fill("0.9");
      const water = page.getByLabel(`第 ${await rowOf(page, /^water$/i)} 列 濃度 (%)`);
      await water.fill(String(Math.round((Number(await water.inputValue()) + 0.3) * 100) / 100));
      await page.getByRole("button", { name: "儲存配方" }).click();
      await page.getByText("配方已儲存，合規檢查已更新。").waitFor();
      const findings = page.getByTestId(`formula-findings-${row}`);
      result.findingAfter = (await findings.count()) ? await findings.innerText() : "";
      result.total = await page.getByTestId("formula-total").innerText();
    });
  },

  async submit({ page, step }, result) {
    await step("journey-item-7-form", async () => {
      // A colleague filled item 7 through the API; the operator corrects it in its form.
      await page.goto(`${BASE_URL}${env.PRODUCT_PATH}/items/7`);
      await page.getByRole("heading", { name: "項目內容" }).waitFor();
      await page.getByLabel("方法 *").fill("早晚洗臉後，取適量均勻塗抹於臉部");
      await page.getByRole("button", { name: "儲存內容" }).click();
      await page.getByText("已儲存。").waitFor();
    });
    await step("journey-compliance", async () => {
      await page.goto(`${BASE_URL}${env.PRODUCT_PATH}`);
      await page.getByRole("link", { name: "合規與安全" }).click();
      await page.getByRole("heading", { name: "法規合規發現" }).waitFor();
    });
    await step("journey-safety", async () => {
      await page.getByRole("tab", { name: "安全評估" }).click();
      const table = page.getByRole("table", { name: "各成分的安全邊際（MoS）" });
      await table.locator("tbody tr").first().waitFor();
      result.mosRows = await table.locator("tbody tr").count();
    });
    await step("journey-consistency", async () => {
      await page.getByRole("tab", { name: "一致性" }).click();
      await page.getByRole("heading", { name: "一致性警示" }).waitFor();
    });
    await step("journey-claims", async () => {
      await page.getByRole("tab", { name: "宣稱檢查" }).click();
      await page.getByLabel("第 4 項上傳檔案").check();
      await page.getByRole("button", { name: "檢查宣稱" }).click();
      await page.getByRole("button", { name: "確認", exact: true }).click();
      await page.getByText(/^已確認（/).waitFor();
    });
    await step("journey-submitted", async () => {
      await page.goto(`${BASE_URL}${env.PRODUCT_PATH}`);
      await page.getByRole("button", { name: "送安全評估人員審查" }).click();
      await page.getByText("已送審。").waitFor();
    });
  },

  async "sa-revision"({ page, step }, result) {
    await step("journey-sa-queue", async () => {
      await signIn(page, env.EMAIL, env.PASSWORD);
      await page.getByLabel("驗證碼").fill(freshCode(result));
      await page.getByRole("button", { name: "驗證", exact: true }).click();
      await page.getByRole("link", { name: "待審清單", exact: true }).click();
      await page.getByRole("link", { name: env.PRODUCT_NAME }).click();
      await page.getByRole("heading", { name: "系統草稿評估" }).waitFor();
      result.reviewPath = `/api/v1${new URL(page.url()).pathname}`;
    });
    await step("journey-sa-revision", async () => {
      await page.getByLabel("第 3 項的意見").fill("請附上防腐劑 Phenoxyethanol 調整後的配方表");
      await page.getByLabel("退回第 3 項").check();
      await page.getByRole("button", { name: "退回修改" }).click();
      await page.getByText("已退回業者修改。").waitFor();
    });
  },

  async resubmit({ page, step }) {
    await step("journey-revision-seen", async () => {
      await page.goto(`${BASE_URL}${env.PRODUCT_PATH}`);
      await page.getByText("請附上防腐劑 Phenoxyethanol 調整後的配方表").waitFor();
    });
    await step("journey-item-3-reviewed", async () => {
      // The item sent back is the operator's to review again before the resubmission.
      await page.getByTestId("item-3").getByRole("link").click();
      await page.getByRole("button", { name: "標記為「已人工審閱」" }).click();
      await page.getByTestId("item-status").filter({ hasText: "已人工審閱" }).waitFor();
    });
    await step("journey-resubmitted", async () => {
      await page.goto(`${BASE_URL}${env.PRODUCT_PATH}`);
      await page.getByRole("button", { name: "送安全評估人員審查" }).click();
      await page.getByText("已送審。").waitFor();
    });
  },

  async "sa-sign"({ page, step }, result) {
    await step("journey-sa-signed", async () => {
      await page.goto(`${BASE_URL}/sa`);
      await page.getByRole("link", { name: env.PRODUCT_NAME }).click();
      await page.getByRole("heading", { name: "系統草稿評估" }).waitFor();
      await page.getByLabel("安全評估人員之最終評估").fill(FINAL_ASSESSMENT);
      const plan = page.getByLabel("改善計畫");
      if (await plan.count()) await plan.fill(REMEDIATION);
      await page.getByLabel("驗證碼").fill(freshCode(result));
      await page.getByRole("button", { name: "簽署", exact: true }).click();
      await page.getByText(/^已簽署第 1 版/).waitFor(); // the review, now read-only, says so
    });
  },

  async pdf({ page, step }) {
    await step("journey-pdf", async () => {
      await page.goto(`${BASE_URL}${env.PRODUCT_PATH}`);
      await page.getByRole("button", { name: "產生 PDF" }).click();
      await page.getByText("PDF 已完成，可以開啟。").waitFor({ timeout: 120_000 });
      // The console fetches the PDF with the session's token and opens it in a new tab
      // (a blob: URL); the bytes are taken on their way to the page.
      let pdf = null;
      await page.route("**/pif/download*", async (route) => {
        const response = await route.fetch();
        pdf = await response.body();
        await route.fulfill({ response, body: pdf });
      });
      const [tab] = await Promise.all([
        page.context().waitForEvent("page"),
        page.getByRole("button", { name: "開啟 PDF" }).click(),
      ]);
      await tab.close();
      writeFileSync(`${STATE_DIR}/signed.pdf`, pdf);
    });
    await step("journey-organisation", async () => {
      await page.getByRole("link", { name: "組織", exact: true }).click();
      await page.getByRole("heading", { name: "成員", exact: true }).waitFor();
      await page.getByText("sa@brand.example").waitFor();
    });
    await page.setViewportSize({ width: 768, height: 1024 });
    await step("journey-tablet-formula", async () => {
      await page.goto(`${BASE_URL}${env.PRODUCT_PATH}/formula`);
      await page.getByLabel("第 1 列 INCI 名稱").waitFor();
    });
    await step("journey-tablet-safety", async () => {
      await page.goto(`${BASE_URL}${env.PRODUCT_PATH}/analysis?tab=safety`);
      await page.getByRole("table", { name: "各成分的安全邊際（MoS）" }).waitFor();
    });
  },

  async "other-org"({ page, step }) {
    await step("journey-other-organisation", async () => {
      await signIn(page, env.EMAIL, env.PASSWORD);
      await page.getByRole("heading", { name: "總覽", exact: true }).waitFor();
      await page.goto(`${BASE_URL}${env.PRODUCT_PATH}`);
      await page.getByText("找不到此產品。").waitFor();
    });
  },
};

const FINAL_ASSESSMENT =
  "本人已審閱本產品之配方、毒理資料與安全限量計算，於正常及可合理預見之使用條件下，" +
  "評估本產品對人體健康為安全。";
const REMEDIATION = "標籤將於下一批次改版，使全成分與品名與第 1、3 項一致；改版前不出貨。";

await main(
  async (browser, result, problems) => {
    const who = env.PHASE.startsWith("sa-") ? "sa" : env.PHASE === "other-org" ? "other" : "operator";
    const restore = env.PHASE !== "operator" && env.PHASE !== "sa-revision" && who !== "other";
    const tab = await session(browser, result, problems, {
      screenshots: SCREENSHOTS,
      storageState: restore ? stateFile(who) : undefined,
    });
    await PHASES[env.PHASE](tab, result);
    writeFileSync(stateFile(who), JSON.stringify(await tab.context.storageState()));
  },
  { screenshots: SCREENSHOTS },
);
