// An item's content schema (GET /api/v1/pif/item-schemas: pydantic's JSON Schema) read into
// the few kinds of field the form renders, and the conversions between the API's content
// and the form's values (text while typing, typed values when saved).

type Json = Record<string, unknown>;

export type FieldSpec =
  | { kind: "string"; multiline: boolean; date: boolean; maxLength?: number }
  | { kind: "number"; integer: boolean; min?: number; max?: number }
  | { kind: "boolean"; nullable: boolean }
  | { kind: "enum"; options: string[] }
  | { kind: "stringList" }
  | { kind: "objectList"; item: ObjectSpec }
  | ObjectSpec
  | { kind: "opaque" }; // kept as it is, not shown (the machine's provenance map)

export interface ObjectSpec {
  kind: "object";
  model: string; // the pydantic model's name ("ProcessStage"): labels may depend on it
  fields: { name: string; title: string; required: boolean; spec: FieldSpec }[];
}

export type FormValues = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function resolve(node: Json, root: Json): Json {
  const ref = node.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/$defs/")) return node;
  const defs = isObject(root.$defs) ? root.$defs : {};
  const target = defs[ref.slice("#/$defs/".length)];
  return isObject(target) ? resolve(target, root) : {};
}

/** `X | None` is written `anyOf: [X, {type: null}]`: the X, and whether null was allowed. */
function unwrapNullable(node: Json, root: Json): { node: Json; nullable: boolean } {
  const resolved = resolve(node, root);
  if (Array.isArray(resolved.anyOf)) {
    const options = resolved.anyOf.filter(isObject);
    const real = options.filter((option) => option.type !== "null");
    const [only] = real;
    if (real.length === 1 && only) return { node: resolve(only, root), nullable: real.length < options.length };
  }
  return { node: resolved, nullable: false };
}

function fieldSpec(raw: Json, root: Json): { spec: FieldSpec; nullable: boolean } {
  const { node, nullable } = unwrapNullable(raw, root);
  if (Array.isArray(node.enum) && node.enum.every((v) => typeof v === "string")) {
    return { spec: { kind: "enum", options: node.enum }, nullable };
  }
  switch (node.type) {
    case "string":
      return {
        spec: {
          kind: "string",
          date: node.format === "date",
          multiline: typeof node.maxLength === "number" && node.maxLength >= 2000,
          maxLength: typeof node.maxLength === "number" ? node.maxLength : undefined,
        },
        nullable,
      };
    case "number":
    case "integer": {
      const min = node.minimum ?? node.exclusiveMinimum;
      const max = node.maximum ?? node.exclusiveMaximum;
      return {
        spec: {
          kind: "number",
          integer: node.type === "integer",
          min: typeof min === "number" ? min : undefined,
          max: typeof max === "number" ? max : undefined,
        },
        nullable,
      };
    }
    case "boolean":
      return { spec: { kind: "boolean", nullable }, nullable };
    case "array": {
      const items = isObject(node.items) ? unwrapNullable(node.items, root).node : {};
      if (items.type === "string" || Array.isArray(items.enum)) return { spec: { kind: "stringList" }, nullable };
      if (isObject(items.properties)) return { spec: { kind: "objectList", item: objectSpec(items, root) }, nullable };
      return { spec: { kind: "opaque" }, nullable };
    }
    case "object":
      return { spec: isObject(node.properties) ? objectSpec(node, root) : { kind: "opaque" }, nullable };
    default:
      return { spec: { kind: "opaque" }, nullable };
  }
}

/** The form of one object schema (the item's content, or a row of one of its tables). */
export function objectSpec(schema: Json, root: Json = schema): ObjectSpec {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return {
    kind: "object",
    model: typeof schema.title === "string" ? schema.title : "",
    fields: Object.entries(properties)
      .filter((entry): entry is [string, Json] => isObject(entry[1]))
      .map(([name, raw]) => ({
        name,
        title: typeof raw.title === "string" ? raw.title : name,
        required: required.has(name),
        spec: fieldSpec(raw, root).spec,
      })),
  };
}

/** The API's content as the form's values: text for the inputs, lines for lists of text. */
export function toFormValues(spec: ObjectSpec, content: unknown): FormValues {
  const source = isObject(content) ? content : {};
  const values: FormValues = {};
  for (const { name, spec: field } of spec.fields) {
    const value = source[name];
    switch (field.kind) {
      case "string":
      case "enum":
        values[name] = typeof value === "string" ? value : "";
        break;
      case "number":
        values[name] = typeof value === "number" ? String(value) : "";
        break;
      case "boolean":
        values[name] = field.nullable ? (typeof value === "boolean" ? String(value) : "") : value === true;
        break;
      case "stringList":
        values[name] = Array.isArray(value) ? value.map(String).join("\n") : "";
        break;
      case "objectList":
        values[name] = Array.isArray(value) ? value.map((row) => toFormValues(field.item, row)) : [];
        break;
      case "object":
        values[name] = toFormValues(field, value);
        break;
      case "opaque":
        break; // sent back from the original content, untouched
    }
  }
  return values;
}

/** The form's values as the content to PUT: numbers as numbers, empty optional fields left
 * out, text that is not a number sent as written (the API names the field in its 422). */
export function fromFormValues(spec: ObjectSpec, values: FormValues, original: unknown = {}): Json {
  const before = isObject(original) ? original : {};
  const content: Json = {};
  for (const { name, required, spec: field } of spec.fields) {
    const value = values[name];
    switch (field.kind) {
      case "string":
      case "enum": {
        const text = typeof value === "string" ? value : "";
        if (text !== "" || (required && field.kind === "string")) content[name] = text;
        break;
      }
      case "number": {
        const text = typeof value === "string" ? value.trim() : "";
        if (text === "") break;
        const number = Number(text);
        content[name] = Number.isFinite(number) ? number : text;
        break;
      }
      case "boolean":
        if (!field.nullable) content[name] = value === true;
        else if (value === "true" || value === "false") content[name] = value === "true";
        break;
      case "stringList":
        content[name] = (typeof value === "string" ? value : "")
          .split("\n")
          .map((line) => line.trim())
          .filter(Boolean);
        break;
      case "objectList": {
        const rows = Array.isArray(value) ? value : [];
        const old = Array.isArray(before[name]) ? before[name] : [];
        content[name] = rows.map((row, index) =>
          fromFormValues(field.item, isObject(row) ? row : {}, old[index]),
        );
        break;
      }
      case "object":
        content[name] = fromFormValues(field, isObject(value) ? value : {}, before[name]);
        break;
      case "opaque":
        if (before[name] !== undefined) content[name] = before[name];
        break;
    }
  }
  return content;
}

export interface PlacedError {
  path: string | null; // the form field's name ("stages.0.name"), or null for the whole form
  message: string;
  line?: number; // the line of a list of text written one per line
}

/** Where a 422's detail belongs: the location (["stages", 0, "name"], from the content's
 * validation, or ["body", "content", ...] from the request's) walked through the form. */
export function placeError(spec: ObjectSpec, loc: unknown[], message: string): PlacedError {
  let rest = [...loc];
  if (rest[0] === "body") rest = rest.slice(1);
  if (rest[0] === "content") rest = rest.slice(1);
  const parts: string[] = [];
  let current: FieldSpec = spec;
  while (rest.length > 0) {
    const key = rest.shift();
    if (current.kind === "object") {
      const field: ObjectSpec["fields"][number] | undefined = current.fields.find((f) => f.name === key);
      if (!field || field.spec.kind === "opaque") break;
      parts.push(String(key));
      current = field.spec;
    } else if (current.kind === "objectList" && typeof key === "number") {
      parts.push(String(key));
      current = current.item;
    } else if (current.kind === "stringList" && typeof key === "number") {
      return { path: parts.join("."), message, line: key + 1 };
    } else {
      break;
    }
  }
  if (parts.length === 0 || current.kind === "object" || current.kind === "objectList") {
    return { path: parts.length && current.kind === "objectList" ? parts.join(".") : null, message };
  }
  return { path: parts.join("."), message };
}
