import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { api } from "@/api/client";
import { toApiError, unwrap } from "@/api/errors";
import { changeDetectionQuery, pifVersionsQuery } from "@/api/queries";
import { Loading, LoadError } from "@/components/states";
import { TaskNotice, useFollowedTasks } from "@/components/task-notice";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { DataTable } from "@/components/ui/data-table";
import { errorMessage } from "@/lib/error-message";

/** Versions V0..Vn, the change-detection banner with "open the next draft", the PDF. */
export function ProductVersions({ productId }: { productId: string }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const versions = useQuery(pifVersionsQuery(productId));
  const changes = useQuery(changeDetectionQuery(productId));
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" });
  const openDraft = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/products/{product_id}/pif-versions/draft", {
          params: { path: { product_id: productId } },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["pif-versions", productId] });
      await queryClient.invalidateQueries({ queryKey: ["change-detection", productId] });
      await queryClient.invalidateQueries({ queryKey: ["pif", productId] });
    },
  });

  return (
    <Card className="space-y-4">
      <CardTitle>{t("versions.title")}</CardTitle>
      {changes.data?.needs_resign && (
        <Alert tone="error" data-testid="change-banner">
          <p>{t("versions.changed")}</p>
          <ul className="mt-1 list-disc pl-5">
            {changes.data.reasons.map((reason) => (
              <li key={reason.part}>{i18n.language === "en" ? reason.en : reason["zh-TW"]}</li>
            ))}
          </ul>
          <Button
            className="mt-2"
            size="sm"
            onClick={() => openDraft.mutate()}
            disabled={openDraft.isPending}
          >
            {t("versions.openDraft", { version: changes.data.suggested_next_version })}
          </Button>
        </Alert>
      )}
      {openDraft.isSuccess && (
        <Alert tone="success">{t("versions.draftOpened", { version: openDraft.data.number })}</Alert>
      )}
      {openDraft.isError && <Alert tone="error">{errorMessage(t, openDraft.error)}</Alert>}
      {versions.isPending ? (
        <Loading />
      ) : versions.isError ? (
        <LoadError error={versions.error} onRetry={() => void versions.refetch()} />
      ) : versions.data.items.length === 0 ? (
        <p className="text-sm text-slate-600">{t("versions.empty")}</p>
      ) : (
        <DataTable
          columns={[
            t("versions.number"),
            t("versions.status"),
            t("versions.signedBy"),
          ]}
        >
          {versions.data.items.map((version) => (
            <tr key={version.id} data-testid={`version-${version.number}`}>
              <td className="py-2 pr-3 font-mono">V{version.number}</td>
              <td className="py-2 pr-3">{t(`versions.statusName.${version.status}`)}</td>
              <td className="py-2">
                {version.signed_at
                  ? `${version.signer_name ?? "—"} · ${date.format(new Date(version.signed_at))}`
                  : "—"}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {versions.data && (
        // Only once the versions are known: the default (the newest signed) depends on them.
        <PifDocument
          productId={productId}
          signed={versions.data.items.filter((v) => v.signed_at).map((v) => v.number)}
        />
      )}
    </Card>
  );
}

/** The PDF of a signed version (the newest by default: the one to hand over) or of the
 * working draft (V0). */
function PifDocument({ productId, signed }: { productId: string; signed: number[] }) {
  const { t } = useTranslation();
  const generations = useFollowedTasks({ productId, kind: "pif.generate" });
  const [chosen, setChosen] = useState<number | null>(null);
  const version = chosen ?? (signed.length ? Math.max(...signed) : 0);
  const generate = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/products/{product_id}/pif/generate", {
          params: { path: { product_id: productId } },
          body: { version },
        }),
      ),
    onSuccess: (accepted) => generations.follow(accepted.task_id),
  });
  const download = useMutation({ mutationFn: () => openPdf(productId, version) });

  return (
    <div className="space-y-2 border-t border-slate-200 pt-4">
      <div className="flex flex-wrap items-center gap-3">
        <label htmlFor="pdf-version" className="text-sm text-slate-700">
          {t("versions.pdfOf")}
        </label>
        <select
          id="pdf-version"
          className="h-9 rounded-md border border-slate-300 bg-white px-2 text-sm"
          value={version}
          onChange={(event) => {
            setChosen(Number(event.target.value));
            generations.ids.forEach(generations.dismiss); // they were for the other version
          }}
        >
          {[...signed]
            .sort((a, b) => b - a)
            .map((number) => (
              <option key={number} value={number}>
                {t("versions.signedOption", { version: number })}
              </option>
            ))}
          <option value={0}>{t("versions.draftOption")}</option>
        </select>
        <Button variant="outline" onClick={() => generate.mutate()} disabled={generate.isPending}>
          {t("versions.generate")}
        </Button>
        <Button variant="outline" onClick={() => download.mutate()} disabled={download.isPending}>
          {t("versions.download")}
        </Button>
      </div>
      {generations.ids.map((taskId) => (
        <TaskNotice
          key={taskId}
          taskId={taskId}
          running={t("versions.generating")}
          done={t("versions.ready")}
          onDismiss={() => generations.dismiss(taskId)}
        />
      ))}
      {generate.isError && <Alert tone="error">{errorMessage(t, generate.error)}</Alert>}
      {download.isError && <Alert tone="error">{errorMessage(t, download.error)}</Alert>}
    </div>
  );
}

/** The newest PDF, fetched with the session's token and opened in a new tab. */
async function openPdf(productId: string, version: number): Promise<void> {
  const result = await api.GET("/api/v1/products/{product_id}/pif/download", {
    params: { path: { product_id: productId }, query: { version } },
    parseAs: "blob",
  });
  if (!result.response.ok || !result.data) {
    throw toApiError(result.response.status, result.error);
  }
  const url = URL.createObjectURL(result.data);
  const link = document.createElement("a");
  link.href = url;
  link.target = "_blank";
  link.rel = "noopener";
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000); // the tab has read it by then
}
