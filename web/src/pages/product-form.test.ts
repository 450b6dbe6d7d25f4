import { describe, expect, it } from "vitest";

import { EMPTY_PRODUCT, productSchema, toProductCreate } from "./product-form";

describe("the product form", () => {
  it("sends only the fields filled in", () => {
    const values = productSchema.parse({
      ...EMPTY_PRODUCT,
      name: "  玻尿酸保濕精華液 ",
      product_type: "leave_on_face",
      sccs_category: "face_cream",
    });
    expect(toProductCreate(values)).toEqual({
      name: "玻尿酸保濕精華液",
      product_type: "leave_on_face",
      children_under_3: false,
      sccs_category: "face_cream",
    });
  });

  it("requires a name and a product type", () => {
    const result = productSchema.safeParse({ ...EMPTY_PRODUCT, name: "   " });
    expect(result.success).toBe(false);
    const fields = result.error?.issues.map((issue) => issue.path[0]);
    expect(fields).toEqual(expect.arrayContaining(["name", "product_type"]));
  });

  it("refuses a name longer than the API accepts", () => {
    const result = productSchema.safeParse({
      ...EMPTY_PRODUCT,
      name: "x".repeat(501),
      product_type: "lip",
    });
    expect(result.error?.issues[0]?.message).toBe("validation.tooLong");
  });
});
