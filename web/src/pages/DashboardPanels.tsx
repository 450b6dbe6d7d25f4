import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { expiringQuery, openAlertsQuery } from "@/api/queries";
import { Loading, LoadError } from "@/components/states";
import { Card, CardTitle } from "@/components/ui/card";
import { cn } from "@/lib/utils";

export function AlertsPanel() {
  const { t, i18n } = useTranslation();
  const alerts = useQuery(openAlertsQuery);
  const dates = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" });
  return (
    <Card>
      <CardTitle className="mb-3">{t("dashboard.alerts")}</CardTitle>
      {alerts.isPending && <Loading />}
      {alerts.isError && <LoadError error={alerts.error} onRetry={() => void alerts.refetch()} />}
      {alerts.data && alerts.data.items.length === 0 && (
        <p className="text-sm text-slate-600">{t("dashboard.noAlerts")}</p>
      )}
      {alerts.data && alerts.data.items.length > 0 && (
        <ul className="divide-y divide-slate-100 text-sm">
          {alerts.data.items.map((alert) => (
            <li key={alert.id} className="py-2">
              <p className="font-medium text-slate-900">{alert.product_name}</p>
              <p className="text-xs text-slate-600">
                {t("dashboard.findings", { count: alert.findings.length })} ·{" "}
                {dates.format(new Date(alert.created_at))}
              </p>
            </li>
          ))}
        </ul>
      )}
      {alerts.data && alerts.data.total > alerts.data.items.length && (
        <p className="mt-2 text-xs text-slate-500">
          {t("dashboard.more", { count: alerts.data.total - alerts.data.items.length })}
        </p>
      )}
    </Card>
  );
}

const STATE_TONE = {
  expiring: "bg-amber-100 text-amber-900",
  expired: "bg-red-100 text-red-900",
  overdue: "bg-red-100 text-red-900",
} as const;

export function ExpiringPanel() {
  const { t, i18n } = useTranslation();
  const expiring = useQuery(expiringQuery);
  return (
    <Card>
      <CardTitle className="mb-3">{t("dashboard.expiring")}</CardTitle>
      {expiring.isPending && <Loading />}
      {expiring.isError && (
        <LoadError error={expiring.error} onRetry={() => void expiring.refetch()} />
      )}
      {expiring.data && expiring.data.items.length === 0 && (
        <p className="text-sm text-slate-600">{t("dashboard.noExpiring")}</p>
      )}
      {expiring.data && expiring.data.items.length > 0 && (
        <ul className="divide-y divide-slate-100 text-sm">
          {expiring.data.items.map((entry) => (
            <li
              key={`${entry.product_id}-${entry.item_number}-${entry.kind}-${entry.due_on}`}
              className="flex items-start justify-between gap-3 py-2"
            >
              <div>
                <p className="font-medium text-slate-900">
                  {entry.product_name} · {t("dashboard.item", { number: entry.item_number })}
                </p>
                <p className="text-xs text-slate-600">
                  {i18n.language === "en" ? entry.message_en : entry.message_zh}
                </p>
              </div>
              <span
                className={cn(
                  "shrink-0 rounded px-2 py-0.5 text-xs font-medium",
                  STATE_TONE[entry.state],
                )}
              >
                {t(`expiryState.${entry.state}`)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
