// The console's sessions in a real Chromium against a real `pifai serve`: register an
// organisation, ask for a password reset, sign in with the TOTP step, the dashboard, create
// a product, a reload that keeps the session through the HttpOnly cookie, sign out, another
// organisation refused the product, 2FA turned on from the QR code's key; a Safety
// Assessor's queue, a review, a revision request. Run by
// tests/integration/test_console_browser.py, which starts the server and the accounts.
//
// env: BASE_URL, EMAIL, PASSWORD, TOTP_CODE, SA_EMAIL, REVIEWED_PRODUCT, SCREENSHOTS (a
// folder), CHROMIUM.
import { main, session, totp } from "./lib.mjs";

const { BASE_URL, EMAIL, PASSWORD, TOTP_CODE, SCREENSHOTS, SA_EMAIL, REVIEWED_PRODUCT } =
  process.env;

await main(
  async (browser, result, problems) => {
    const { context, page, step } = await session(browser, result, problems, {
      screenshots: SCREENSHOTS,
    });
    await step("registered", async () => {
      await page.goto(`${BASE_URL}/register`);
      await page.getByLabel("組織名稱").fill("第二家美妝公司");
      await page.getByLabel("組織類型").selectOption("oem");
      await page.getByLabel("您的姓名").fill("陳美玲");
      await page.getByLabel("電子郵件").fill("second@example.com");
      await page.getByLabel("密碼").fill("orchid lantern harbour 1987");
      await page.getByRole("button", { name: "建立帳號", exact: true }).click();
      await page.getByText("驗證連結已寄出").waitFor();
    });
    await step("forgot-password", async () => {
      await page.goto(`${BASE_URL}/forgot-password`);
      await page.getByLabel("電子郵件").fill("second@example.com");
      await page.getByRole("button", { name: "寄出重設連結" }).click();
      await page.getByText("重設連結已寄出").waitFor();
    });
    await step("sign-in", async () => {
      await page.goto(`${BASE_URL}/`);
      await page.waitForURL(/\/sign-in/);
      await page.getByLabel("電子郵件").fill(EMAIL);
      await page.getByLabel("密碼").fill(PASSWORD);
      await page.getByRole("button", { name: "登入", exact: true }).click();
    });
    await step("totp-step", async () => {
      await page.getByLabel("驗證碼").fill(TOTP_CODE);
      await page.getByRole("button", { name: "驗證", exact: true }).click();
    });
    await step("dashboard-empty", async () => {
      await page.getByRole("heading", { name: "總覽", exact: true }).waitFor();
      await page.getByText("尚未建立任何產品。").waitFor();
    });
    await step("product-created", async () => {
      await page.getByRole("link", { name: "產品", exact: true }).click();
      await page.getByLabel("產品名稱").fill("玻尿酸保濕精華液");
      await page.getByLabel("產品類型").selectOption("leave_on_face");
      await page.getByRole("button", { name: "建立", exact: true }).click();
      await page.getByText("已建立產品「玻尿酸保濕精華液」。").waitFor();
      await page.getByRole("cell", { name: /玻尿酸保濕精華液/ }).waitFor();
    });
    await step("pif-items", async () => {
      await page.getByRole("link", { name: "玻尿酸保濕精華液" }).click();
      await page.getByRole("heading", { name: "玻尿酸保濕精華液" }).waitFor();
      await page.getByRole("heading", { name: "16 項 PIF 資料" }).waitFor();
      result.itemRows = await page.locator('[data-testid^="item-"]').count();
      await page.getByRole("heading", { name: "版本", exact: true }).waitFor();
      result.productPath = new URL(page.url()).pathname;
    });
    await step("dashboard-after-reload", async () => {
      await page.goto(`${BASE_URL}/`); // a new page load: the token in memory is gone
      const bar = page.getByRole("progressbar", { name: /玻尿酸保濕精華液/ });
      await bar.waitFor();
      result.progress = await bar.getAttribute("aria-valuenow");
    });
    await step("tablet-products", async () => {
      await page.setViewportSize({ width: 768, height: 1024 });
      await page.getByRole("link", { name: "產品", exact: true }).click();
      await page.getByRole("cell", { name: /玻尿酸保濕精華液/ }).waitFor();
    });
    await step("tablet-dashboard", async () => {
      await page.getByRole("link", { name: "總覽", exact: true }).click();
      await page.getByRole("progressbar", { name: /玻尿酸保濕精華液/ }).waitFor();
    });
    result.cookies = (await context.cookies()).map((cookie) => ({
      name: cookie.name,
      path: cookie.path,
      httpOnly: cookie.httpOnly,
      sameSite: cookie.sameSite,
    }));
    result.localStorageKeys = await page.evaluate(() => Object.keys(localStorage));
    result.readableCookies = await page.evaluate(() => document.cookie);
    await step("signed-out", async () => {
      await page.getByRole("button", { name: "登出" }).click();
      await page.waitForURL(/\/sign-in/);
      await page.goto(`${BASE_URL}/products`);
      await page.waitForURL(/\/sign-in/); // the session really ended
    });
    await step("other-organisation", async () => {
      // The organisation registered first signs in and opens the product by its URL.
      await page.getByLabel("電子郵件").fill("second@example.com");
      await page.getByLabel("密碼").fill("orchid lantern harbour 1987");
      await page.getByRole("button", { name: "登入", exact: true }).click();
      // Back where the sign-out step was sent to sign in: its own, empty, products.
      await page.getByText("沒有符合的產品。").waitFor();
      await page.goto(`${BASE_URL}${result.productPath}`);
      await page.getByText("找不到此產品。").waitFor();
    });
    await step("two-factor-on", async () => {
      await page.getByRole("link", { name: "帳號安全" }).click();
      await page.getByRole("button", { name: "設定兩步驟驗證" }).click();
      await page
        .locator("svg title", { hasText: "兩步驟驗證設定 QR 碼" })
        .waitFor({ state: "attached" });
      const secret = (await page.getByTestId("totp-secret").textContent()).trim();
      await page.getByLabel("驗證碼").fill(totp(secret));
      await page.getByRole("button", { name: "啟用", exact: true }).click();
      await page.getByText(/兩步驟驗證已啟用/).waitFor();
    });
    await step("sa-pending", async () => {
      // The consultancy's Safety Assessor: their queue, reached from the navigation.
      await page.getByRole("button", { name: "登出" }).click();
      await page.waitForURL(/\/sign-in/);
      await page.getByLabel("電子郵件").fill(SA_EMAIL);
      await page.getByLabel("密碼").fill(PASSWORD);
      await page.getByRole("button", { name: "登入", exact: true }).click();
      await page.getByRole("link", { name: "待審清單", exact: true }).click();
      await page.getByRole("heading", { name: "待審清單", exact: true }).waitFor();
      await page.getByRole("link", { name: REVIEWED_PRODUCT }).waitFor();
    });
    await step("sa-review", async () => {
      await page.getByRole("link", { name: REVIEWED_PRODUCT }).click();
      await page.getByRole("heading", { name: REVIEWED_PRODUCT }).waitFor();
      await page.getByRole("heading", { name: "系統草稿評估" }).waitFor();
      result.reviewItemRows = await page.locator('[data-testid^="review-item-"]').count();
    });
    await step("sa-revision-requested", async () => {
      await page.getByLabel("第 3 項的意見").fill("請補上防腐劑的濃度與來源");
      await page.getByLabel("退回第 3 項").check();
      await page.getByRole("button", { name: "退回修改" }).click();
      await page.getByText("已退回業者修改。").waitFor();
      await page.getByText("請補上防腐劑的濃度與來源").waitFor(); // now the review's comment
    });
  },
  { screenshots: SCREENSHOTS },
);
