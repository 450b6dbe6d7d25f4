import type { TFunction } from "i18next";
import { type DragEvent, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import type { Schemas } from "@/api/client";
import { ApiError } from "@/api/errors";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Progress } from "@/components/ui/progress";
import { errorMessage } from "@/lib/error-message";
import { cn } from "@/lib/utils";

export type Uploader = (
  file: File,
  onProgress: (percent: number) => void,
) => Promise<Schemas["UploadOut"]>;

type State =
  | { phase: "idle" }
  | { phase: "uploading"; name: string; percent: number }
  | { phase: "done"; name: string }
  | { phase: "error"; name: string; message: string };

/** A drop zone that is also a file button (Enter or Space opens the picker); the upload's
 * progress as a bar, its refusal (too large, a type the item does not take) as a message. */
export function UploadZone({
  upload,
  replacing,
  onUploaded,
}: {
  upload: Uploader;
  replacing: boolean;
  onUploaded: (file: Schemas["UploadOut"]) => void;
}) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const [state, setState] = useState<State>({ phase: "idle" });
  const [over, setOver] = useState(false);
  const busy = state.phase === "uploading";

  async function send(file: File) {
    setState({ phase: "uploading", name: file.name, percent: 0 });
    try {
      const stored = await upload(file, (percent) =>
        setState((s) => (s.phase === "uploading" ? { ...s, percent } : s)),
      );
      setState({ phase: "done", name: file.name });
      onUploaded(stored);
    } catch (error) {
      setState({ phase: "error", name: file.name, message: uploadError(t, error) });
    }
  }

  function drop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file && !busy) void send(file);
  }

  const label = replacing ? t("pifItem.files.replace") : t("pifItem.files.choose");
  return (
    <div className="space-y-2">
      <div
        data-testid="drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
        className={cn(
          "flex flex-col items-center gap-2 rounded-md border-2 border-dashed p-6 text-center text-sm text-slate-700",
          over ? "border-brand-700 bg-brand-50" : "border-slate-300",
        )}
      >
        <p>{t("pifItem.files.dropHere")}</p>
        <input
          ref={input}
          id={inputId}
          type="file"
          className="sr-only"
          // The button below is the control (the same name twice would be ambiguous).
          tabIndex={-1}
          aria-hidden="true"
          aria-label={label}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = ""; // the same file can be chosen again
            if (file) void send(file);
          }}
        />
        <Button type="button" variant="outline" disabled={busy} onClick={() => input.current?.click()}>
          {label}
        </Button>
        {replacing && <p className="text-xs text-slate-600">{t("pifItem.files.replaceHelp")}</p>}
      </div>
      {state.phase === "uploading" && (
        <div className="space-y-1">
          <p className="text-sm text-slate-700">
            {t("pifItem.files.uploading", { name: state.name, percent: Math.round(state.percent) })}
          </p>
          <Progress value={state.percent} label={t("pifItem.files.progress", { name: state.name })} />
        </div>
      )}
      {state.phase === "done" && <Alert tone="success">{t("pifItem.files.uploaded", { name: state.name })}</Alert>}
      {state.phase === "error" && (
        <Alert tone="error">{t("pifItem.files.failed", { name: state.name, message: state.message })}</Alert>
      )}
    </div>
  );
}

function uploadError(t: TFunction, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 413) return t("pifItem.files.tooLarge");
    if (error.status === 415) return t("pifItem.files.wrongType", { message: error.message });
  }
  return errorMessage(t, error);
}
