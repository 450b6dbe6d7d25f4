import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";

import { ApiError } from "@/api/errors";
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

/** Whether any of the screen's queries was answered 404 (another organisation's product
 * is one too: the API never says it exists). */
export function isNotFound(...errors: unknown[]): boolean {
  return errors.some((error) => error instanceof ApiError && error.status === 404);
}

export function NotFound({ message }: { message: string }) {
  const { t } = useTranslation();
  return (
    <div className="space-y-4">
      <Alert tone="error">{message}</Alert>
      <Link to="/products" className="text-sm text-brand-700 underline">
        {t("pif.backToProducts")}
      </Link>
    </div>
  );
}
