import type { Finding } from "@/api/formula-queries";

export const SEVERITY_TONE: Record<Finding["severity"], string> = {
  critical: "bg-red-100 text-red-900",
  high: "bg-orange-100 text-orange-900",
  advisory: "bg-amber-100 text-amber-900",
  info: "bg-slate-100 text-slate-800",
};
