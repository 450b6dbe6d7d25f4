import type { ReactNode } from "react";

import { cn } from "@/lib/utils";

export const TONE = {
  red: "bg-red-100 text-red-900 ring-red-300",
  orange: "bg-orange-100 text-orange-900 ring-orange-300",
  amber: "bg-amber-100 text-amber-900 ring-amber-300",
  violet: "bg-violet-100 text-violet-900 ring-violet-300",
  green: "bg-emerald-100 text-emerald-900 ring-emerald-300",
  gray: "bg-slate-100 text-slate-800 ring-slate-300",
} as const;

export type Tone = keyof typeof TONE;

/** A coloured label that always says in words what its colour means. */
export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return (
    <span
      className={cn(
        "inline-block whitespace-nowrap rounded px-2 py-0.5 text-xs font-medium ring-1 ring-inset",
        TONE[tone],
      )}
    >
      {children}
    </span>
  );
}

export const FINDING_TONE: Record<string, Tone> = {
  critical: "red",
  high: "orange",
  advisory: "amber",
  info: "gray",
};

export const ALERT_TONE: Record<string, Tone> = { blocking: "red", error: "orange", warning: "amber" };

export const VERDICT_TONE: Record<string, Tone> = {
  red: "red",
  amber: "amber",
  pending_data: "violet",
  green: "green",
  gray: "gray",
};

/** A number as the engine gave it, in at most four significant digits; a dash for none. */
export function num(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return Number(value.toPrecision(4)).toString();
}
