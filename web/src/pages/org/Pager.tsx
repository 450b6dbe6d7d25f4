import { useTranslation } from "react-i18next";

import { Button } from "@/components/ui/button";

/** Previous/next through a paginated list; nothing when it fits one page. */
export function Pager({
  total,
  offset,
  pageSize,
  onChange,
}: {
  total: number;
  offset: number;
  pageSize: number;
  onChange: (offset: number) => void;
}) {
  const { t } = useTranslation();
  if (total <= pageSize) return null;
  return (
    <nav aria-label={t("org.pager.label")} className="flex items-center gap-3 text-sm">
      <Button
        size="sm"
        variant="outline"
        disabled={offset === 0}
        onClick={() => onChange(Math.max(0, offset - pageSize))}
      >
        {t("org.pager.previous")}
      </Button>
      <span className="text-slate-600">
        {t("org.pager.range", {
          from: offset + 1,
          to: Math.min(offset + pageSize, total),
          total,
        })}
      </span>
      <Button
        size="sm"
        variant="outline"
        disabled={offset + pageSize >= total}
        onClick={() => onChange(offset + pageSize)}
      >
        {t("org.pager.next")}
      </Button>
    </nav>
  );
}
