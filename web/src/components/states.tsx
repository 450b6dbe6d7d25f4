import { useTranslation } from "react-i18next";

import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/error-message";

export function Loading() {
  const { t } = useTranslation();
  return (
    <p role="status" className="py-6 text-sm text-slate-500">
      {t("app.loading")}
    </p>
  );
}

export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert tone="error" className="flex items-center justify-between gap-4">
      <span>
        {t("errors.loadFailed")} {errorMessage(t, error)}
      </span>
      {onRetry && (
        <Button variant="outline" size="sm" onClick={onRetry}>
          {t("app.retry")}
        </Button>
      )}
    </Alert>
  );
}
