// The committed client (src/api/schema.gen.ts) must be what openapi-typescript makes of the
// committed schema (openapi.json); tests/unit/test_web_client.py checks that openapi.json
// is the API's current document. Either failing: run `make web-client`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const web = new URL("..", import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), "pifai-client-"));
try {
  const fresh = join(scratch, "schema.gen.ts");
  execFileSync(join(web, "node_modules/.bin/openapi-typescript"), ["openapi.json", "-o", fresh], {
    cwd: web,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const committed = readFileSync(join(web, "src/api/schema.gen.ts"), "utf8");
  if (readFileSync(fresh, "utf8") !== committed) {
    console.error("src/api/schema.gen.ts is out of date with openapi.json: run `make web-client`");
    process.exit(1);
  }
  console.log("client: src/api/schema.gen.ts matches openapi.json");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
