import { z } from "zod";

import type { Schemas } from "@/api/client";

export type ReviewDetail = Schemas["ReviewDetailOut"];
type Bilingual = { "zh-TW"?: string; en?: string };

/** A consistency alert as the API lists it (pifai/ai/consistency/model.py). */
export interface ConsistencyAlert {
  rule_id: string;
  severity: "blocking" | "error" | "warning";
  items: number[];
  message: Bilingual;
  legal: { duty_article: string | null; penalty_article: string | null; citation: string } | null;
}

export function consistencyAlerts(review: ReviewDetail): ConsistencyAlert[] {
  const alerts = (review.consistency as { alerts?: unknown }).alerts;
  return Array.isArray(alerts) ? (alerts as ConsistencyAlert[]) : [];
}

export function inLanguage(text: Bilingual | string | undefined, language: string): string {
  if (typeof text === "string") return text;
  return (language === "en" ? text?.en : text?.["zh-TW"]) ?? text?.["zh-TW"] ?? text?.en ?? "";
}

const DRAFT_SECTIONS = ["product", "exposure", "conclusion"] as const;

/** The engine's draft of item 16 as the texts it wrote, in the screen's language. */
export function draftSections(review: ReviewDetail, language: string) {
  const draft = review.engine_assessment as Record<string, unknown> | null;
  if (!draft) return [];
  return DRAFT_SECTIONS.flatMap((key) => {
    const text = inLanguage(draft[key] as Bilingual | string | undefined, language);
    return text ? [{ key, text }] : [];
  });
}

export const reviewFormSchema = z.object({
  final_assessment: z.string().max(50000, { error: "validation.tooLong" }),
  general: z.string().max(5000, { error: "validation.tooLong" }),
  notes: z.array(z.string().max(5000, { error: "validation.tooLong" })),
  revise: z.array(z.boolean()),
  remediation_plan: z.string().max(20000, { error: "validation.tooLong" }),
  code: z.string(),
});
export type ReviewForm = z.infer<typeof reviewFormSchema>;

export function initialValues(review: ReviewDetail): ReviewForm {
  return {
    final_assessment: review.final_assessment ?? "",
    general: "",
    notes: review.items.map(() => ""),
    revise: review.items.map(() => false),
    remediation_plan: "",
    code: "",
  };
}

/** The comments the form holds: the general one, then one per item that has text. */
export function formComments(review: ReviewDetail, values: ReviewForm) {
  const comments: Schemas["ItemCommentIn"][] = [];
  if (values.general.trim()) comments.push({ item_number: null, body: values.general.trim() });
  review.items.forEach((item, index) => {
    const body = values.notes[index]?.trim();
    if (body) comments.push({ item_number: item.item_number, body });
  });
  return comments;
}

export function revisionItems(review: ReviewDetail, values: ReviewForm): number[] {
  return review.items.filter((_, index) => values.revise[index]).map((item) => item.item_number);
}

export const TOTP_PATTERN = /^\d{6}$/;
