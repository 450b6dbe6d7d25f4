import { afterEach, describe, expect, it, vi } from "vitest";

import { json } from "@/test-utils";

import { api, setUnauthorizedHandler } from "./client";

function answer(status: number, code: string) {
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>(async () => json(status, { error: { code, message: code, details: null } })),
  );
}

describe("the API client on a 401", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setUnauthorizedHandler(() => {});
  });

  it("ends the session when the token is refused", async () => {
    const lost = vi.fn();
    setUnauthorizedHandler(lost);
    answer(401, "unauthorized");
    await api.GET("/api/v1/sa/pending");
    expect(lost).toHaveBeenCalledOnce();
  });

  it("keeps the session when only the two-factor code is wrong", async () => {
    const lost = vi.fn();
    setUnauthorizedHandler(lost);
    answer(401, "totp_invalid");
    const result = await api.POST("/api/v1/sa/reviews/{review_id}/sign", {
      params: { path: { review_id: "3f1c2a9e-0000-4000-8000-000000000101" }, header: { "x-totp-code": "1" } },
      body: {},
    });
    expect(result.error).toMatchObject({ error: { code: "totp_invalid" } });
    expect(lost).not.toHaveBeenCalled();
  });
});
