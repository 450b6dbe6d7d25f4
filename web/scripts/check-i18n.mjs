// Both catalogues must have the same keys (plural forms count as the same key).
import { readFileSync } from "node:fs";

const PLURAL = /_(zero|one|two|few|many|other)$/;

function keys(value, prefix = "") {
  if (typeof value !== "object" || value === null) return [prefix.replace(PLURAL, "")];
  return Object.entries(value).flatMap(([key, inner]) =>
    keys(inner, prefix ? `${prefix}.${key}` : key),
  );
}

const catalogues = ["zh-TW", "en"].map((language) => {
  const path = new URL(`../src/i18n/${language}.json`, import.meta.url);
  return { language, keys: new Set(keys(JSON.parse(readFileSync(path, "utf8")))) };
});
let failed = false;
for (const { language, keys: own } of catalogues) {
  for (const other of catalogues) {
    if (other === catalogues.find((c) => c.language === language)) continue;
    const missing = [...other.keys].filter((key) => !own.has(key));
    if (missing.length) {
      failed = true;
      console.error(`${language}.json lacks ${missing.length} key(s): ${missing.join(", ")}`);
    }
  }
}
if (failed) process.exit(1);
console.log(`i18n: zh-TW and en have the same ${catalogues[0].keys.size} keys`);
