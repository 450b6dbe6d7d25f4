import { z } from "zod";

import type { Schemas } from "@/api/client";
import { PRODUCT_TYPES } from "@/lib/product-types";

// The fields of POST /api/v1/products this form sends, with the API's own limits.
export const productSchema = z.object({
  name: z.string().trim().min(1, { error: "validation.required" }).max(500, {
    error: "validation.tooLong",
  }),
  name_en: z.string().trim().max(500, { error: "validation.tooLong" }),
  product_type: z.enum(PRODUCT_TYPES, { error: "validation.required" }),
  category: z.string().trim().max(100, { error: "validation.tooLong" }),
  sccs_category: z.string(),
  children_under_3: z.boolean(),
});
export type ProductForm = z.input<typeof productSchema>;

export const EMPTY_PRODUCT: ProductForm = {
  name: "",
  name_en: "",
  product_type: "" as ProductForm["product_type"],
  category: "",
  sccs_category: "",
  children_under_3: false,
};

/** The request body: empty optional fields are left out rather than sent as "". */
export function toProductCreate(values: z.output<typeof productSchema>): Schemas["ProductCreate"] {
  return {
    name: values.name,
    product_type: values.product_type,
    children_under_3: values.children_under_3,
    ...(values.name_en ? { name_en: values.name_en } : {}),
    ...(values.category ? { category: values.category } : {}),
    ...(values.sccs_category ? { sccs_category: values.sccs_category } : {}),
  };
}
