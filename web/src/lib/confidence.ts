// The confidence colours of the README and issue 21: green >= 0.8, yellow 0.5-0.8, red < 0.5.
export type Band = "green" | "yellow" | "red";

export const BAND_TONE: Record<Band, string> = {
  green: "bg-emerald-100 text-emerald-900",
  yellow: "bg-amber-100 text-amber-900",
  red: "bg-red-100 text-red-900",
};

export function confidenceBand(confidence: number | null | undefined): Band | null {
  if (confidence === null || confidence === undefined) return null;
  if (confidence >= 0.8) return "green";
  return confidence >= 0.5 ? "yellow" : "red";
}
