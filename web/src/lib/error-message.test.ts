import { beforeEach, describe, expect, it } from "vitest";

import { ApiError } from "@/api/errors";
import i18n from "@/i18n";

import { errorMessage, fieldErrors } from "./error-message";

const t = i18n.t.bind(i18n);

describe("what a form says about the API's 422", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });

  it("puts each field's problem by its name, in the reader's language with the API's limit", () => {
    const error = new ApiError(422, "validation_error", "invalid", [
      { loc: ["body", "name"], msg: "String should have at least 3 characters", type: "string_too_short", ctx: { min_length: 3 } },
      { loc: ["body", "concentration"], msg: "Input should be less than or equal to 100", type: "less_than_equal", ctx: { le: 100 } },
      { loc: ["body", "cas"], msg: "Value error, the CAS check digit is wrong", type: "value_error", ctx: {} },
      { loc: ["body"], msg: "ignored: no field", type: "missing", ctx: {} },
      { loc: ["body", "old"], msg: "Field required", type: "missing" }, // no ctx: as given
    ]);
    expect(fieldErrors(t, error)).toEqual({
      name: "至少需 3 個字元",
      concentration: "須小於或等於 100",
      cas: "Value error, the CAS check digit is wrong", // our own validator's reason, as given
      old: "Field required",
    });
  });

  it("speaks English when the reader does", async () => {
    await i18n.changeLanguage("en");
    const error = new ApiError(422, "validation_error", "invalid", [
      { loc: ["body", "email"], msg: "Field required", type: "missing", ctx: {} },
    ]);
    expect(fieldErrors(t, error)).toEqual({ email: "This field is required" });
  });

  it("has no field errors for anything but a 422 with details", () => {
    expect(fieldErrors(t, new Error("x"))).toEqual({});
    expect(fieldErrors(t, new ApiError(409, "review_open", "open", [{ loc: ["body", "x"], msg: "m" }]))).toEqual({});
  });

  it("shows a known code in our words and an unknown one with the API's message", () => {
    expect(errorMessage(t, new ApiError(409, "review_open", "A review is open"))).not.toContain("A review is open");
    expect(errorMessage(t, new ApiError(400, "odd_thing", "Something odd"))).toContain("Something odd");
  });
});
