import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import {
  clearSession,
  currentToken,
  ensureToken,
  readCookie,
  refreshSession,
  setSession,
} from "./session";

function setCookie(value: string) {
  document.cookie = value;
}

function tokenResponse(token: string) {
  return new Response(JSON.stringify({ access_token: token, token_type: "bearer", expires_in: 900 }), {
    status: 200,
    headers: { "Content-Type": "application/json" },
  });
}

describe("the browser session", () => {
  beforeEach(() => clearSession());
  afterEach(() => {
    setCookie("pifai_csrf=; max-age=0; path=/");
  });

  it("reads one cookie among several", () => {
    expect(readCookie("pifai_csrf", "a=1; pifai_csrf=abc%3D; b=2")).toBe("abc=");
    expect(readCookie("missing", "a=1")).toBeNull();
  });

  it("forgets the access token shortly before it expires", () => {
    setSession("token-1", 900, 0);
    expect(currentToken(0)).toBe("token-1");
    expect(currentToken(870_001)).toBeNull(); // within the last 30 s
  });

  it("does not ask to refresh without the CSRF cookie", async () => {
    const fetcher = vi.fn<typeof fetch>();
    expect(await refreshSession(fetcher)).toBe(false);
    expect(fetcher).not.toHaveBeenCalled();
  });

  it("refreshes once for concurrent callers, echoing the CSRF cookie", async () => {
    setCookie("pifai_csrf=csrf-value; path=/");
    const fetcher = vi.fn<typeof fetch>().mockResolvedValue(tokenResponse("token-2"));
    const [first, second] = await Promise.all([ensureToken(fetcher), ensureToken(fetcher)]);
    expect(first).toBe("token-2");
    expect(second).toBe("token-2");
    expect(fetcher).toHaveBeenCalledTimes(1);
    const [url, init] = fetcher.mock.calls[0]!;
    expect(url).toBe("/api/v1/auth/refresh");
    expect(init?.method).toBe("POST");
    expect(init?.headers).toEqual({ "X-Client": "browser", "X-CSRF-Token": "csrf-value" });
    expect(init?.body).toBeUndefined(); // the refresh token is the HttpOnly cookie's
  });

  it("ends the session when the refresh is refused", async () => {
    setCookie("pifai_csrf=csrf-value; path=/");
    setSession("old", 1, 0); // already expired
    const refused = new Response(
      JSON.stringify({ error: { code: "refresh_token_reused", message: "reused", details: null } }),
      { status: 401 },
    );
    expect(await refreshSession(vi.fn<typeof fetch>().mockResolvedValue(refused))).toBe(false);
    expect(currentToken()).toBeNull();
  });
});
