import type { TFunction } from "i18next";
import type { FieldError } from "react-hook-form";

/** A form error as text: our zod messages are catalogue keys, the API's are sentences. */
export function fieldText(t: TFunction, error: FieldError | undefined): string | undefined {
  const text = error?.message;
  if (!text) return undefined;
  return text.startsWith("validation.") ? t(text as "validation.required") : text;
}
