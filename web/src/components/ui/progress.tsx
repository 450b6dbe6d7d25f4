import { cn } from "@/lib/utils";

/** A bar for a percentage; its width is set through the DOM's style object, which the
 * console's CSP (style-src 'self') allows, unlike a style attribute in markup. */
export function Progress({ value, label }: { value: number; label: string }) {
  const clamped = Math.max(0, Math.min(100, value));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(clamped)}
      className="h-2 w-full overflow-hidden rounded-full bg-slate-200"
    >
      <div
        className={cn("h-full rounded-full", clamped >= 100 ? "bg-emerald-600" : "bg-brand-600")}
        style={{ width: `${clamped}%` }}
      />
    </div>
  );
}
