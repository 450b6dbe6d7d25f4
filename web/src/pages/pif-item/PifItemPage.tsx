import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import {
  analyzeItem,
  type ItemDetail,
  type ItemStatus,
  itemSchemasQuery,
  pifItemQuery,
  updateItem,
} from "@/api/pif-item-queries";
import { meQuery, productQuery } from "@/api/queries";
import { ConfidenceBadge } from "@/components/confidence-badge";
import { isNotFound, Loading, LoadError, NotFound } from "@/components/states";
import { TaskNotice, useFollowedTasks } from "@/components/task-notice";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { errorMessage } from "@/lib/error-message";

import { ItemFiles } from "./ItemFiles";
import { objectSpec } from "./json-schema";
import { SchemaForm } from "./SchemaForm";

const FORMULA_ITEM = 3;

/** One PIF item: its status, confidence and provider, its structured content, its files
 * and its AI analysis. */
export function PifItemPage({ productId, itemNumber }: { productId: string; itemNumber: number }) {
  const { t } = useTranslation();
  const product = useQuery(productQuery(productId));
  const item = useQuery(pifItemQuery(productId, itemNumber));

  if (isNotFound(product.error, item.error)) return <NotFound message={t("pifItem.notFound")} />;
  if (product.isError) return <LoadError error={product.error} onRetry={() => void product.refetch()} />;
  if (item.isError) return <LoadError error={item.error} onRetry={() => void item.refetch()} />;
  if (product.isPending || item.isPending) return <Loading />;
  return <ItemScreen productId={productId} productName={product.data.name} item={item.data} />;
}

function ItemScreen({ productId, productName, item }: { productId: string; productName: string; item: ItemDetail }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === "en";
  const queryClient = useQueryClient();
  const tasks = useFollowedTasks({ productId, itemNumber: item.item_number });
  // Bumped when a task that may have rewritten the content ends: the form starts again.
  const [generation, setGeneration] = useState(0);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["pif", productId] });

  return (
    <div className="space-y-6">
      <ItemHeader productId={productId} productName={productName} item={item} onChanged={refresh} />
      {item.last_error && <Alert tone="error">{t("pifItem.lastError", { message: item.last_error })}</Alert>}
      <Card>
        <CardTitle className="mb-3">{t("pifItem.content")}</CardTitle>
        {item.item_number === FORMULA_ITEM ? (
          <Link
            to="/products/$productId/formula"
            params={{ productId }}
            className="inline-flex h-10 items-center rounded-md bg-brand-700 px-4 text-sm font-medium text-white hover:bg-brand-800"
          >
            {t("pifItem.editFormula")}
          </Link>
        ) : (
          <ContentEditor key={generation} productId={productId} item={item} onSaved={refresh} />
        )}
      </Card>
      <Card>
        <CardTitle className="mb-3">{t("pifItem.files.title")}</CardTitle>
        <ItemFiles
          productId={productId}
          itemNumber={item.item_number}
          files={item.files}
          onChanged={() => void refresh()}
          onTask={tasks.follow}
        />
      </Card>
      <Card>
        <CardTitle className="mb-3">{t("pifItem.analysis.title")}</CardTitle>
        <Analysis productId={productId} item={item} onTask={tasks.follow} />
        <div className="mt-3 space-y-2">
          {tasks.ids.map((taskId) => (
            <TaskNotice
              key={taskId}
              taskId={taskId}
              running={t("pifItem.task.running")}
              done={t("pifItem.task.done")}
              onFinished={() => {
                setGeneration((g) => g + 1);
                void refresh();
              }}
              onDismiss={() => tasks.dismiss(taskId)}
            />
          ))}
        </div>
      </Card>
      <p className="text-xs text-slate-600">
        {t("pifItem.source", { source: t(`pifItem.sources.${item.source}`, { defaultValue: item.source }) })} ·{" "}
        {t("pifItem.stage", { stage: en ? item.stage.name_en : item.stage.name_zh })}
      </p>
    </div>
  );
}

function ItemHeader({
  productId,
  productName,
  item,
  onChanged,
}: {
  productId: string;
  productName: string;
  item: ItemDetail;
  onChanged: () => Promise<void>;
}) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === "en";
  const me = useQuery(meQuery);
  const change = useMutation({
    mutationFn: (status: ItemStatus) => updateItem(productId, item.item_number, { status }),
    onSuccess: onChanged,
  });
  // Starting an analysis is the analysis button's; approving is a Safety Assessor's.
  const targets = item.allowed_transitions.filter(
    (s): s is ItemStatus => s !== "ai_processing" && (s !== "approved" || me.data?.user.role === "sa"),
  );
  const provider = item.provider;

  return (
    <div className="space-y-3">
      <Link to="/products/$productId" params={{ productId }} className="text-sm text-brand-700 underline">
        {t("pifItem.back", { name: productName })}
      </Link>
      <h1 className="text-2xl font-semibold text-slate-900">
        <span className="mr-2 font-mono text-slate-600">{item.item_number}</span>
        {en ? item.name_en : item.name_zh}
      </h1>
      <p className="text-sm text-slate-600">{en ? item.name_zh : item.name_en}</p>
      <dl className="grid gap-3 text-sm sm:grid-cols-3">
        <div>
          <dt className="text-slate-600">{t("pif.status")}</dt>
          <dd className="font-medium text-slate-900" data-testid="item-status">
            {t(`itemStatus.${item.status}`)}
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">{t("pif.confidence")}</dt>
          <dd>
            <ConfidenceBadge value={item.confidence} />
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">{t("pif.provider")}</dt>
          <dd className="text-slate-900">
            {en ? provider.name_en : provider.name_zh}
            {provider.outsourced && <span className="ml-1 text-xs text-slate-600">({t("pif.outsourced")})</span>}
            {(provider.also ?? []).length > 0 && (
              <span className="block text-xs text-slate-600">
                {t("pifItem.also", { names: (provider.also ?? []).map((a) => (en ? a.name_en : a.name_zh)).join(en ? ", " : "、") })}
              </span>
            )}
          </dd>
        </div>
      </dl>
      {targets.length > 0 && (
        <div className="flex flex-wrap gap-2" role="group" aria-label={t("pifItem.changeStatus")}>
          {targets.map((target) => (
            <Button key={target} variant="outline" size="sm" disabled={change.isPending} onClick={() => change.mutate(target)}>
              {t("pifItem.markAs", { status: t(`itemStatus.${target}`) })}
            </Button>
          ))}
        </div>
      )}
      {change.isError && <Alert tone="error">{errorMessage(t, change.error)}</Alert>}
    </div>
  );
}

function ContentEditor({ productId, item, onSaved }: { productId: string; item: ItemDetail; onSaved: () => Promise<void> }) {
  const schemas = useQuery(itemSchemasQuery);
  const schema = schemas.data?.find((s) => s.item_number === item.item_number)?.content_schema;
  const spec = useMemo(() => (schema ? objectSpec(schema) : null), [schema]);
  if (schemas.isError) return <LoadError error={schemas.error} onRetry={() => void schemas.refetch()} />;
  if (!spec) return <Loading />;
  return (
    <SchemaForm
      spec={spec}
      content={item.content}
      onSave={async (content) => {
        await updateItem(productId, item.item_number, { content });
        await onSaved();
      }}
    />
  );
}

function Analysis({ productId, item, onTask }: { productId: string; item: ItemDetail; onTask: (id: string) => void }) {
  const { t } = useTranslation();
  const [none, setNone] = useState(false);
  const start = useMutation({
    mutationFn: () => analyzeItem(productId, item.item_number),
    onSuccess: (result) => {
      setNone(result.tasks.length === 0);
      for (const task of result.tasks) onTask(task.task_id);
    },
  });
  return (
    <div className="space-y-2">
      <p className="text-sm text-slate-600">{t("pifItem.analysis.help")}</p>
      <Button onClick={() => start.mutate()} disabled={start.isPending || item.status === "ai_processing"}>
        {t("pifItem.analysis.start")}
      </Button>
      {none && <Alert tone="info">{t("pifItem.analysis.none")}</Alert>}
      {start.isError && <Alert tone="error">{errorMessage(t, start.error)}</Alert>}
    </div>
  );
}
