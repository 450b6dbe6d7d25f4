import { z } from "zod";

import type { Schemas } from "@/api/client";

export const ORGANIZATION_TYPES = ["brand", "oem", "importer", "consultant"] as const satisfies
  readonly Schemas["RegisterRequest"]["organization_type"][];

// The server has the last word on strength (length and zxcvbn); this catches the obvious.
const MIN_PASSWORD = 10;
const password = z
  .string()
  .min(MIN_PASSWORD, { error: "validation.passwordLength" })
  .max(256, { error: "validation.tooLong" });

export const registerSchema = z.object({
  email: z.email({ error: "validation.email" }),
  password,
  full_name: z.string().trim().min(1, { error: "validation.required" }).max(200, {
    error: "validation.tooLong",
  }),
  organization_name: z.string().trim().min(1, { error: "validation.required" }).max(300, {
    error: "validation.tooLong",
  }),
  organization_type: z.enum(ORGANIZATION_TYPES),
});
export type RegisterForm = z.input<typeof registerSchema>;

export const emailSchema = z.object({ email: z.email({ error: "validation.email" }) });
export type EmailForm = z.input<typeof emailSchema>;

export const newPasswordSchema = z
  .object({ password, confirm: z.string() })
  .refine((values) => values.password === values.confirm, {
    path: ["confirm"],
    error: "validation.passwordMismatch",
  });
export type NewPasswordForm = z.input<typeof newPasswordSchema>;
