import { createContext, useContext, useState } from "react";
import {
  type Control,
  FormProvider,
  get,
  useFieldArray,
  useForm,
  useFormContext,
} from "react-hook-form";
import { useTranslation } from "react-i18next";

import { ConfidenceBadge } from "@/components/confidence-badge";
import { describedBy, Field } from "@/components/field";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { errorMessage, problems, problemText } from "@/lib/error-message";
import { cn } from "@/lib/utils";

import {
  type FieldSpec,
  type FormValues,
  fromFormValues,
  type ObjectSpec,
  placeError,
  toFormValues,
} from "./json-schema";

type Saver = (content: Record<string, unknown>) => Promise<unknown>;

const TEXTAREA =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-brand-700 aria-invalid:border-red-600";

interface Source {
  confidence?: number;
  method?: string;
  needs_review?: boolean;
}
// Where the machine filled a field of the item (content.provenance, by field name).
const Provenance = createContext<Record<string, Source>>({});

function readProvenance(content: Record<string, unknown>): Record<string, Source> {
  const value = content.provenance;
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, Source>)
    : {};
}

function SourceNote({ path }: { path: string }) {
  const { t } = useTranslation();
  const source = useContext(Provenance)[path];
  if (!source || source.method === "operator") return null;
  return (
    <p className="flex flex-wrap items-center gap-2 text-xs text-slate-600" data-testid={`source-${path}`}>
      <span>{t("pifItem.form.machine", { method: t(`pifItem.form.methods.${source.method ?? "rule"}`, { defaultValue: source.method ?? "" }) })}</span>
      <ConfidenceBadge value={source.confidence} />
      {source.needs_review && <span className="font-medium text-amber-900">{t("pifItem.form.needsReview")}</span>}
    </p>
  );
}

const idOf = (path: string) => `field-${path.replace(/\./g, "-")}`;

/** A form built from an item's content schema; saved through `onSave` (the PUT), whose
 * 422 field errors are shown at their fields while what was typed stays in the form. */
export function SchemaForm({
  spec,
  content,
  onSave,
}: {
  spec: ObjectSpec;
  content: Record<string, unknown>;
  onSave: Saver;
}) {
  const { t } = useTranslation();
  const form = useForm<FormValues>({ defaultValues: toFormValues(spec, content) });
  const [formError, setFormError] = useState<string[]>([]);
  const [saved, setSaved] = useState(false);

  const submit = form.handleSubmit(async (values) => {
    setFormError([]);
    setSaved(false);
    try {
      await onSave(fromFormValues(spec, values, content));
      form.reset(values); // what was saved is the new starting point
      setSaved(true);
    } catch (error) {
      const general: string[] = [];
      const entries = problems(error);
      if (entries.length > 0) {
        for (const entry of entries) {
          const message = problemText(t, entry, t("pifItem.form.invalid"));
          const placed = placeError(spec, Array.isArray(entry.loc) ? entry.loc : [], message);
          const text = placed.line ? t("pifItem.form.line", { line: placed.line, message }) : message;
          if (placed.path) form.setError(placed.path, { type: "server", message: text });
          else general.push(text);
        }
        setFormError([t("pifItem.form.invalid"), ...general]);
      } else {
        setFormError([errorMessage(t, error)]);
      }
    }
  });

  return (
    <FormProvider {...form}>
      <Provenance.Provider value={readProvenance(content)}>
      <form onSubmit={(event) => void submit(event)} noValidate className="space-y-4">
        <Fields spec={spec} prefix="" />
        {formError.length > 0 && (
          <Alert tone="error">
            {formError.map((line, index) => (
              <p key={index}>{line}</p>
            ))}
          </Alert>
        )}
        {saved && !form.formState.isDirty && <Alert tone="success">{t("pifItem.form.saved")}</Alert>}
        <Button type="submit" disabled={form.formState.isSubmitting}>
          {form.formState.isSubmitting ? t("pifItem.form.saving") : t("pifItem.form.save")}
        </Button>
      </form>
      </Provenance.Provider>
    </FormProvider>
  );
}

function useLabel() {
  const { t } = useTranslation();
  // A model's own label first (item 1's `name` is the product's, a stage's its own).
  return (model: string, name: string, title: string) =>
    t([`pifItem.fieldsOf.${model}.${name}`, `pifItem.fields.${name}`], { defaultValue: title });
}

function Fields({ spec, prefix }: { spec: ObjectSpec; prefix: string }) {
  return (
    <div className="grid gap-4 md:grid-cols-2">
      {spec.fields.map((field) => {
        const path = prefix ? `${prefix}.${field.name}` : field.name;
        const wide = ["object", "objectList", "stringList"].includes(field.spec.kind) || (field.spec.kind === "string" && field.spec.multiline);
        return (
          <div key={field.name} className={cn("space-y-1", wide && "md:col-span-2", field.spec.kind === "boolean" && "self-end")}>
            <FieldFor path={path} model={spec.model} name={field.name} title={field.title} required={field.required} spec={field.spec} />
            <SourceNote path={path} />
          </div>
        );
      })}
    </div>
  );
}

function FieldFor({
  path,
  model,
  name,
  title,
  required,
  spec,
}: {
  path: string;
  model: string;
  name: string;
  title: string;
  required: boolean;
  spec: FieldSpec;
}) {
  const { t } = useTranslation();
  const label = useLabel();
  const { register, control, formState } = useFormContext<FormValues>();
  const error = (get(formState.errors, path) as { message?: string } | undefined)?.message;
  const id = idOf(path);
  const text = label(model, name, title) + (required ? " *" : "");
  const aria = { "aria-invalid": error ? true : undefined, "aria-describedby": describedBy(id, error) };

  switch (spec.kind) {
    case "opaque":
      return null;
    case "object":
      return (
        <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
          <legend className="px-1 text-sm font-medium text-slate-800">{text}</legend>
          <Fields spec={spec} prefix={path} />
        </fieldset>
      );
    case "objectList":
      return <ObjectList path={path} legend={text} item={spec.item} control={control} error={error} />;
    case "boolean":
      if (!spec.nullable) {
        return (
          <div className="flex items-center gap-2">
            <input id={id} type="checkbox" className="size-4" {...register(path)} {...aria} />
            <label htmlFor={id} className="text-sm font-medium text-slate-800">
              {text}
            </label>
          </div>
        );
      }
      return (
        <Field id={id} label={text} error={error}>
          <Select id={id} {...register(path)} {...aria}>
            <option value="">{t("pifItem.form.unset")}</option>
            <option value="true">{t("pifItem.form.yes")}</option>
            <option value="false">{t("pifItem.form.no")}</option>
          </Select>
        </Field>
      );
    case "enum":
      return (
        <Field id={id} label={text} error={error}>
          <Select id={id} {...register(path)} {...aria}>
            <option value="">{t("pifItem.form.unset")}</option>
            {spec.options.map((option) => (
              <option key={option} value={option}>
                {t(`pifItem.enum.${option}`, { defaultValue: option })}
              </option>
            ))}
          </Select>
        </Field>
      );
    case "stringList":
      return (
        <div>
          <Field id={id} label={text} error={error} help={t("pifItem.form.onePerLine")}>
            <textarea id={id} rows={4} className={TEXTAREA} {...register(path)} {...aria} aria-describedby={describedBy(id, error, "help")} />
          </Field>
        </div>
      );
    case "number":
      return (
        <Field id={id} label={text} error={error}>
          <Input
            id={id}
            inputMode={spec.integer ? "numeric" : "decimal"}
            {...register(path)}
            {...aria}
          />
        </Field>
      );
    case "string":
      if (spec.multiline) {
        return (
          <div>
            <Field id={id} label={text} error={error}>
              <textarea id={id} rows={4} maxLength={spec.maxLength} className={TEXTAREA} {...register(path)} {...aria} />
            </Field>
          </div>
        );
      }
      return (
        <Field id={id} label={text} error={error}>
          <Input id={id} type={spec.date ? "date" : "text"} maxLength={spec.maxLength} {...register(path)} {...aria} />
        </Field>
      );
  }
}

function ObjectList({
  path,
  legend,
  item,
  control,
  error,
}: {
  path: string;
  legend: string;
  item: ObjectSpec;
  control: Control<FormValues>;
  error?: string;
}) {
  const { t } = useTranslation();
  // The paths are built from the schema at run time: react-hook-form's typed names cannot
  // know them.
  const rows = useFieldArray({ control, name: path as never });
  return (
    <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
      <legend className="px-1 text-sm font-medium text-slate-800">{legend}</legend>
      {rows.fields.length === 0 && <p className="text-sm text-slate-600">{t("pifItem.form.noRows")}</p>}
      {rows.fields.map((row, index) => (
        <div key={row.id} className="space-y-3 rounded-md bg-slate-50 p-3" data-testid={`${path}-row`}>
          <div className="flex items-center justify-between gap-2">
            <h3 className="text-sm font-medium text-slate-700">
              {legend.replace(/ \*$/, "")} #{index + 1}
            </h3>
            <Button
              type="button"
              variant="outline"
              size="sm"
              onClick={() => rows.remove(index)}
              aria-label={t("pifItem.form.removeRow", { name: legend.replace(/ \*$/, ""), number: index + 1 })}
            >
              {t("pifItem.form.remove")}
            </Button>
          </div>
          <Fields spec={item} prefix={`${path}.${index}`} />
        </div>
      ))}
      {error && <p className="text-xs text-red-700">{error}</p>}
      <Button
        type="button"
        variant="outline"
        size="sm"
        onClick={() => rows.append(toFormValues(item, {}) as never)}
      >
        {t("pifItem.form.addRow", { name: legend.replace(/ \*$/, "") })}
      </Button>
    </fieldset>
  );
}
