// What the browser scripts share: Debian's Chromium through playwright-core, axe-core's
// check, the width check and a screenshot after every step, and RFC 6238 codes.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { chromium } from "playwright-core";

// axe-core, evaluated through the DevTools protocol (not a script tag, which the
// console's CSP would rightly refuse).
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const TIMEOUT_MS = 15_000;

/** RFC 6238's code for a base32 secret at a 30-second time step (an authenticator app's). */
export function totpAt(secret, timeStep) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secret.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(timeStep));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0xf;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

export const timeStepNow = () => Math.floor(Date.now() / 30_000);

export const totp = (secret) => totpAt(secret, timeStepNow());

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * A browser page whose every step is recorded in ``result``: the step's name, axe-core's
 * serious or critical violations, whether the screen scrolls sideways (it does not fit its
 * viewport), and a screenshot named after it; console errors, page errors and refused
 * requests (status >= 400) are collected too.
 */
export async function session(browser, result, problems, { screenshots, storageState } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    ...(storageState ? { storageState } : {}),
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  result.steps ??= [];
  result.accessibility ??= {};
  result.overflowing ??= [];
  result.refused ??= [];
  // A CSP violation or a script error shows up here.
  page.on("console", (message) => {
    // A refused request is listed below, with its path, rather than as this message.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 400) {
      const { pathname } = new URL(response.url());
      result.refused.push(`${response.request().method()} ${pathname} ${response.status()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page: ${error.message}`));
  const audit = async (name) => {
    await page.evaluate(AXE);
    const { violations } = await page.evaluate(() =>
      // eslint-disable-next-line no-undef -- defined by the AXE source just evaluated
      axe.run(document, { resultTypes: ["violations"] }),
    );
    const grave = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    result.accessibility[name] = grave.map((v) => `${v.id} (${v.impact}): ${v.nodes.length}`);
  };
  const step = async (name, run) => {
    await run();
    result.steps.push(name);
    await audit(name);
    // The outermost elements past the right edge say what does not fit.
    const wide = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= width) return null;
      const past = [...document.body.querySelectorAll("*")].filter(
        (el) => el.getBoundingClientRect().right > width + 1,
      );
      return past
        .filter((el) => !past.includes(el.parentElement))
        .slice(0, 3)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`.slice(0, 120));
    });
    if (wide) result.overflowing.push(`${name}: ${wide.join(" | ")}`);
    if (screenshots) await page.screenshot({ path: `${screenshots}/${name}.png` });
  };
  return { context, page, step };
}

/** Runs ``body`` and prints ``result`` as one JSON line; exit status 1 on a problem. */
export async function main(body, { screenshots } = {}) {
  const browser = await launch();
  const problems = [];
  const result = { steps: [] };
  try {
    await body(browser, result, problems);
  } catch (error) {
    problems.push(`step failed after ${result.steps.at(-1)}: ${error.message.split("\n")[0]}`);
    if (screenshots) {
      const pages = browser.contexts().flatMap((context) => context.pages());
      await pages.at(-1)?.screenshot({ path: `${screenshots}/failure.png` }).catch(() => {});
    }
  } finally {
    await browser.close();
  }
  result.problems = problems;
  console.log(JSON.stringify(result));
  process.exit(problems.length ? 1 : 0);
}
