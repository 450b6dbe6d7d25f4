// Run by bench/console.py: full page loads of the dashboard (the baseline), the product's
// PIF builder and its formula table, each timed from navigation start to the screen
// rendered with its data; prints {"dashboard": [ms...], "builder": [...], "formula": [...]}.
//
// env: BASE_URL, EMAIL, PASSWORD, PRODUCT_ID, ROWS, RUNS, CHROMIUM.
import { launch } from "./lib.mjs";

const { BASE_URL, EMAIL, PASSWORD, PRODUCT_ID } = process.env;
const ROWS = Number(process.env.ROWS);
const RUNS = Number(process.env.RUNS || 5);

const browser = await launch();
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${BASE_URL}/sign-in`);
  await page.getByLabel("電子郵件").fill(EMAIL);
  await page.getByLabel("密碼").fill(PASSWORD);
  await page.getByRole("button", { name: "登入", exact: true }).click();
  await page.getByRole("heading", { name: "總覽", exact: true }).waitFor();

  const screens = {
    dashboard: ["/", () => page.getByRole("progressbar").first().waitFor()],
    builder: [
      `/products/${PRODUCT_ID}`,
      () => page.locator('[data-testid="item-16"]').waitFor(),
    ],
    formula: [
      `/products/${PRODUCT_ID}/formula`,
      () => page.getByLabel(`第 ${ROWS} 列 INCI 名稱`).waitFor(),
    ],
  };
  const times = Object.fromEntries(Object.keys(screens).map((name) => [name, []]));
  for (let run = 0; run <= RUNS; run++) {
    for (const [name, [path, rendered]] of Object.entries(screens)) {
      await page.goto(`${BASE_URL}${path}`);
      await rendered();
      const ms = await page.evaluate(() => performance.now());
      if (run > 0) times[name].push(ms); // run 0 warms the browser's and server's caches
    }
  }
  console.log(JSON.stringify(times));
} finally {
  await browser.close();
}
