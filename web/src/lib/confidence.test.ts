import { describe, expect, it } from "vitest";

import { confidenceBand } from "./confidence";

describe("confidence colours", () => {
  it("are green from 0.8, yellow from 0.5, red below", () => {
    expect(confidenceBand(0.8)).toBe("green");
    expect(confidenceBand(0.99)).toBe("green");
    expect(confidenceBand(0.79)).toBe("yellow");
    expect(confidenceBand(0.5)).toBe("yellow");
    expect(confidenceBand(0.49)).toBe("red");
    expect(confidenceBand(0)).toBe("red");
    expect(confidenceBand(null)).toBeNull();
  });
});
