import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { Schemas } from "@/api/client";
import { deleteFile, downloadFile, uploadFile } from "@/api/pif-item-queries";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { errorMessage } from "@/lib/error-message";

import { UploadZone } from "./UploadZone";

type FileOut = Schemas["FileOut"];

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function saveAs(productId: string, file: FileOut) {
  const blob = await downloadFile(productId, file.id);
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = file.original_filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The item's file versions (newest, the current one, first): upload or replace with a new
 * version, download, delete with a confirmation. */
export function ItemFiles({
  productId,
  itemNumber,
  files,
  onChanged,
  onTask,
}: {
  productId: string;
  itemNumber: number;
  files: FileOut[];
  onChanged: () => void;
  onTask: (taskId: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const [confirming, setConfirming] = useState<string | null>(null);
  const download = useMutation({ mutationFn: (file: FileOut) => saveAs(productId, file) });
  const remove = useMutation({
    mutationFn: (file: FileOut) => deleteFile(productId, file.id),
    onSuccess: () => {
      setConfirming(null);
      onChanged();
    },
  });
  const failure = download.error ?? remove.error;

  return (
    <div className="space-y-4">
      {files.length === 0 ? (
        <p className="text-sm text-slate-600">{t("pifItem.files.none")}</p>
      ) : (
        <DataTable
          columns={[
            t("pifItem.files.name"),
            t("pifItem.files.version"),
            t("pifItem.files.size"),
            t("pifItem.files.uploadedAt"),
            t("pifItem.files.actions"),
          ]}
        >
          {files.map((file, index) => (
            <tr key={file.id}>
              <td className="py-2 pr-3 break-all text-slate-900">
                {file.original_filename}
                {index === 0 && (
                  <span className="ml-2 rounded bg-emerald-100 px-1.5 py-0.5 text-xs text-emerald-900">
                    {t("pifItem.files.current")}
                  </span>
                )}
              </td>
              <td className="py-2 pr-3">v{file.version}</td>
              <td className="py-2 pr-3 whitespace-nowrap">{size(file.size_bytes)}</td>
              <td className="py-2 pr-3 whitespace-nowrap">
                {new Date(file.created_at).toLocaleString(i18n.language)}
              </td>
              <td className="py-2">
                {confirming === file.id ? (
                  <div className="flex flex-wrap items-center gap-2" role="group" aria-label={t("pifItem.files.confirmDelete", { name: file.original_filename })}>
                    <span className="text-slate-800">{t("pifItem.files.confirmDelete", { name: file.original_filename })}</span>
                    <Button size="sm" disabled={remove.isPending} onClick={() => remove.mutate(file)}>
                      {t("pifItem.files.confirm")}
                    </Button>
                    <Button size="sm" variant="outline" onClick={() => setConfirming(null)}>
                      {t("pifItem.files.cancel")}
                    </Button>
                  </div>
                ) : (
                  <div className="flex flex-wrap gap-2">
                    <Button
                      size="sm"
                      variant="outline"
                      disabled={download.isPending}
                      onClick={() => download.mutate(file)}
                      aria-label={t("pifItem.files.downloadNamed", { name: file.original_filename, version: file.version })}
                    >
                      {t("pifItem.files.download")}
                    </Button>
                    <Button
                      size="sm"
                      variant="outline"
                      onClick={() => setConfirming(file.id)}
                      aria-label={t("pifItem.files.deleteNamed", { name: file.original_filename, version: file.version })}
                    >
                      {t("pifItem.files.delete")}
                    </Button>
                  </div>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {failure && <Alert tone="error">{errorMessage(t, failure)}</Alert>}
      <UploadZone
        replacing={files.length > 0}
        upload={(file, onProgress) => uploadFile(productId, itemNumber, file, onProgress)}
        onUploaded={(stored) => {
          onChanged();
          if (stored.analysis_task) onTask(stored.analysis_task.task_id);
        }}
      />
    </div>
  );
}
