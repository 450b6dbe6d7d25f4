import type { TFunction } from "i18next";

import { ApiError } from "@/api/errors";

const TRANSLATED = [
  "invalid_credentials",
  "totp_invalid",
  "too_many_requests",
  "invalid_token",
  "totp_required",
  "signing_blocked",
  "remediation_plan_required",
  "qualification_expired",
  "qualification_missing",
  "final_assessment_required",
  "review_not_editable",
  "review_open",
  "items_not_ready",
  "claims_result_changed",
] as const;

/** What a screen says about a failure: our words for the codes we know, else the API's
 * own message (already in the shape {"error": {"code", "message"}}), never a stack. */
export function errorMessage(t: TFunction, error: unknown): string {
  if (error instanceof ApiError) {
    const known = TRANSLATED.find((code) => code === error.code);
    if (known) return t(`errors.${known}`);
    // The server's reason (too short, a common word ...) is worth showing as it is.
    if (error.code === "weak_password") return t("errors.weak_password", { message: error.message });
    return t("errors.generic", { message: error.message });
  }
  if (error instanceof TypeError) return t("errors.network"); // fetch's network failure
  return t("errors.generic", { message: String(error) });
}

/** pydantic's error kinds the catalogue words (``validation.api.*``), with its limits. */
const VALIDATION_KINDS = [
  "missing",
  "string_too_short",
  "string_too_long",
  "too_short",
  "too_long",
  "string_pattern_mismatch",
  "greater_than",
  "greater_than_equal",
  "less_than",
  "less_than_equal",
  "int_parsing",
  "float_parsing",
  "decimal_parsing",
  "bool_parsing",
  "date_parsing",
  "date_from_datetime_parsing",
  "datetime_parsing",
  "uuid_parsing",
  "literal_error",
  "enum",
  "extra_forbidden",
] as const;

/** One entry of a 422's details: `{loc, msg, type, ctx}`. */
export interface Problem {
  loc?: unknown[];
  msg?: unknown;
  type?: unknown;
  ctx?: Record<string, unknown>;
}

/** A 422 entry in the reader's language when its kind is known; else the API's message
 * (our own validators' reasons, e.g. a CAS number's check digit). */
export function problemText(t: TFunction, problem: Problem, fallback = ""): string {
  const known = VALIDATION_KINDS.find((kind) => kind === problem.type);
  // The limits come in ctx (an API older than ctx sends none: its English then).
  if (known && problem.ctx && typeof problem.ctx === "object") {
    return t(`validation.api.${known}`, { ...problem.ctx });
  }
  return typeof problem.msg === "string" ? problem.msg : fallback;
}

/** The 422 entries of an error, or none. */
export function problems(error: unknown): Problem[] {
  return error instanceof ApiError && error.status === 422 && Array.isArray(error.details)
    ? (error.details as Problem[])
    : [];
}

/** Field errors of a 422, keyed by the last part of each location (`body.name` -> `name`). */
export function fieldErrors(t: TFunction, error: unknown): Record<string, string> {
  const found: Record<string, string> = {};
  for (const problem of problems(error)) {
    const loc = problem.loc ?? [];
    const field = loc.length > 1 ? loc[loc.length - 1] : undefined; // ["body"] names none
    const text = problemText(t, problem);
    if (typeof field === "string" && text) found[field] = text;
  }
  return found;
}
