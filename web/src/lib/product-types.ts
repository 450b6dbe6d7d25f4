import type { Schemas } from "@/api/client";

export type ProductType = Schemas["ProductCreate"]["product_type"];

export const PRODUCT_TYPES = [
  "leave_on_face",
  "leave_on_body",
  "leave_on_hair",
  "rinse_off_skin",
  "rinse_off_hair",
  "eye_area",
  "lip",
  "oral",
  "nail",
] as const satisfies readonly ProductType[];

// Fails to compile when the API gains a product type this list lacks.
type Missing = Exclude<ProductType, (typeof PRODUCT_TYPES)[number]>;
export const PRODUCT_TYPES_COMPLETE: [Missing] extends [never] ? true : never = true;
