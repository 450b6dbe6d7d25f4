import { describe, expect, it } from "vitest";

import { safeRedirect } from "./redirect";

describe("the redirect after signing in", () => {
  it("keeps a path of the console", () => {
    expect(safeRedirect("/products?q=lotion")).toBe("/products?q=lotion");
  });

  it.each([undefined, "", "https://evil.example", "//evil.example", "/\\evil.example", "/sign-in"])(
    "goes to the dashboard instead of %s",
    (target) => {
      expect(safeRedirect(target)).toBe("/");
    },
  );
});
