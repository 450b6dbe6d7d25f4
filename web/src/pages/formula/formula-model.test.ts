import { describe, expect, it } from "vitest";

import { ApiError } from "@/api/errors";
import type { Finding } from "@/api/formula-queries";

import { formulaTotal, parseConcentration, placeFindings, rowErrors, toCheck, toWrite, emptyRow } from "./formula-model";

describe("the formula total", () => {
  it("adds the concentrations as typed, a comma decimal included", () => {
    expect(formulaTotal(["60", "39,5", "0.5"])).toEqual({ total: 100, balance: null, unread: 0, ok: true });
  });

  it("counts a q.s. row as the remainder to 100 %", () => {
    const total = formulaTotal(["q.s.", "5", "3.2"]);
    expect(total.balance).toBeCloseTo(91.8);
    expect(total.total).toBe(100);
    expect(total.ok).toBe(true);
  });

  it("warns outside 100 % +/- 2 % and counts what it cannot add", () => {
    expect(formulaTotal(["90", "7.9"]).ok).toBe(false); // 97.9
    expect(formulaTotal(["90", "8"]).ok).toBe(true); // 98: within the tolerance
    expect(formulaTotal(["95", "10"])).toMatchObject({ total: 105, ok: false });
    expect(formulaTotal(["50", "<0.1", ""])).toMatchObject({ total: 50, unread: 2, ok: false });
    expect(formulaTotal(["", ""])).toMatchObject({ total: null, ok: false });
  });

  it("reads balance words and leaves other text to the server", () => {
    expect(parseConcentration("ad 100").kind).toBe("balance");
    expect(parseConcentration("餘量").kind).toBe("balance");
    expect(parseConcentration("50 ppm").kind).toBe("text");
    expect(parseConcentration(" 2.5 % ")).toEqual({ kind: "number", value: 2.5 });
  });
});

describe("the rows sent", () => {
  it("sends a plain number as a number and other text as typed", () => {
    const row = { ...emptyRow(), name: " Glycerin ", cas: "", concentration: "5.5", function: "" };
    expect(toWrite(row)).toEqual({ name: "Glycerin", raw_name: null, zh_name: null, cas: null, concentration: 5.5, function: null });
    expect(toWrite({ ...row, zhName: " 甘油 " }).zh_name).toBe("甘油");
    expect(toWrite({ ...row, concentration: "0,8" }).concentration).toBe("0,8");
    expect(toWrite({ ...row, concentration: "q.s." }).concentration).toBe("q.s.");
  });

  it("checks a balance row at its remainder", () => {
    const rows = [
      { ...emptyRow(), name: "Aqua", concentration: "q.s." },
      { ...emptyRow(), name: "Glycerin", concentration: "5" },
      { ...emptyRow(), name: "Mystery", concentration: "<0.1" },
    ];
    expect(toCheck(rows).map((r) => r.concentration_pct)).toEqual([95, 5, null]);
  });
});

describe("a 422 placed at its row", () => {
  it("reads the service's row errors and the request validation's", () => {
    const service = new ApiError(422, "formula_rows_invalid", "1 problem", [
      { row: 2, field: "cas", message: "CAS 50-00-1 fails its check digit" },
    ]);
    expect(rowErrors(service)).toEqual([{ row: 2, field: "cas", message: "CAS 50-00-1 fails its check digit" }]);
    const validation = new ApiError(422, "validation_error", "not valid", [
      { loc: ["body", "rows", 0, "name"], msg: "String should have at least 1 character" },
    ]);
    expect(rowErrors(validation)).toEqual([
      { row: 0, field: "name", message: "String should have at least 1 character" },
    ]);
    expect(rowErrors(new ApiError(500, "internal", "boom"))).toEqual([]);
  });
});

describe("findings by row", () => {
  const finding = (rows: number[]): Finding => ({
    severity: "high",
    ingredient: "X",
    rule: "over_limit",
    authority: "TFDA",
    list_type: null,
    limit_pct: null,
    actual_pct: null,
    citation: "c",
    message: "m",
    rows,
  });

  it("files each finding under every row it names; one naming none is general", () => {
    const group = finding([0, 2]);
    const none = finding([]);
    const placed = placeFindings([group, none, finding([9])], ["a", "b", "c"]);
    expect(placed.byKey.get("a")).toEqual([group]);
    expect(placed.byKey.get("b")).toBeUndefined();
    expect(placed.byKey.get("c")).toEqual([group]);
    expect(placed.general).toHaveLength(2);
  });
});
