import { describe, expect, it } from "vitest";

import { ApiError, toApiError } from "./errors";

describe("the API's error shape", () => {
  it("becomes an ApiError with its code and message", () => {
    const error = toApiError(403, {
      error: { code: "csrf_failed", message: "Missing or wrong X-CSRF-Token", details: null },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(403);
    expect(error.code).toBe("csrf_failed");
    expect(error.message).toBe("Missing or wrong X-CSRF-Token");
  });

  it("an unexpected body still gives a message", () => {
    const error = toApiError(502, "<html>Bad gateway</html>");
    expect(error.code).toBe("unexpected_response");
    expect(error.message).toBe("HTTP 502");
  });
});
