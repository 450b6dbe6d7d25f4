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
