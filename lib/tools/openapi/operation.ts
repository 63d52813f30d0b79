import type { HttpMethod } from "@/lib/nodes/http/definition";
import { TOOL_LIMITS, type OpenApiToolConfig } from "../schema";
import { pickBodyMedia, bodyInputSchema } from "./bodies";
import { toJsonSchema } from "./json-schema";
import { uniqueToolName } from "./names";
import { isObject, type Json, type LocalRefs } from "./refs";

/** Methods that become tools; OPTIONS and TRACE are listed as skipped (see SKIPPED_METHODS). */
export const IMPORTED_METHODS = ["get", "put", "post", "delete", "patch", "head"] as const;
export const SKIPPED_METHODS: Record<string, string> = {
  options: "OPTIONS asks a server what it supports; it is not an action for a tool.",
  trace: "TRACE echoes the request back (a debugging method servers usually disable); it is not imported.",
};
/** Headers the HTTP client sets itself: a parameter with one of these names is not an input. */
const CLIENT_OWNED_HEADERS = new Set(["content-length", "host", "transfer-encoding", "connection", "keep-alive"]);

export interface OperationSummary {
  key: string;
  method: string;
  path: string;
  operationId: string | null;
  summary: string;
  toolName: string;
  /** What the import changed or left out for this operation (ignored header parameters, …). */
  notes: string[];
}

export interface PreparedOperation extends OperationSummary {
  description: string;
  inputSchema: Json;
  config: OpenApiToolConfig;
}

export interface SkippedOperation {
  key: string;
  method: string;
  path: string;
  reason: string;
}

interface RawParam {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: unknown;
  type?: string;
  items?: unknown;
  enum?: unknown;
  format?: string;
  default?: unknown;
}

/** Swagger 2.0 parameters carry their schema inline; OpenAPI 3 in `schema`. */
function paramSchema(param: RawParam, refs: LocalRefs): Json {
  const inline = Object.fromEntries(
    Object.entries({ type: param.type, items: param.items, enum: param.enum, format: param.format, default: param.default }).filter(([, v]) => v !== undefined),
  );
  const base = toJsonSchema(param.schema !== undefined ? param.schema : inline, refs);
  return param.description && !base.description ? { ...base, description: param.description } : base;
}

/** Path-level and operation-level parameters, references followed, the operation's winning. */
function parametersOf(refs: LocalRefs, pathItem: Json, operation: Json): RawParam[] {
  const merged = new Map<string, RawParam>();
  for (const list of [pathItem.parameters, operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const param = refs.follow(entry) as RawParam | null;
      if (param && typeof param.name === "string" && typeof param.in === "string") merged.set(`${param.in}:${param.name}`, param);
    }
  }
  return [...merged.values()];
}

interface Inputs {
  properties: Json;
  required: string[];
  parameters: OpenApiToolConfig["parameters"];
  notes: string[];
  formFields: Json;
  formRequired: string[];
  swaggerBody: RawParam | null;
}

function readParameters(refs: LocalRefs, params: RawParam[]): Inputs {
  const inputs: Inputs = { properties: {}, required: [], parameters: [], notes: [], formFields: {}, formRequired: [], swaggerBody: null };
  for (const param of params) {
    if (param.in === "body") inputs.swaggerBody = param;
    else if (param.in === "formData") {
      inputs.formFields[param.name] = paramSchema(param, refs);
      if (param.required) inputs.formRequired.push(param.name);
    } else if (param.in === "header" && CLIENT_OWNED_HEADERS.has(param.name.toLowerCase())) {
      inputs.notes.push(`The header parameter ${param.name} is set by the HTTP client, so it is not an input of the tool.`);
    } else if ((param.in === "path" || param.in === "query" || param.in === "header") && !(param.name in inputs.properties)) {
      inputs.properties[param.name] = paramSchema(param, refs);
      const isRequired = param.in === "path" || param.required === true;
      if (isRequired) inputs.required.push(param.name);
      inputs.parameters.push({ name: param.name, in: param.in, required: isRequired });
    }
  }
  return inputs;
}

interface Body {
  schema: Json;
  required: boolean;
  contentType: string;
}

/** The request body: OpenAPI 3's requestBody, else Swagger 2's body or formData parameters. */
function readBody(refs: LocalRefs, operation: Json, inputs: Inputs): Body | null {
  const requestBody = refs.follow(operation.requestBody);
  if (requestBody) {
    const media = pickBodyMedia(refs, requestBody.content);
    if (media) return { schema: bodyInputSchema(media.type, toJsonSchema(media.schema, refs)), required: requestBody.required === true, contentType: media.type };
  }
  if (inputs.swaggerBody) return { schema: toJsonSchema(inputs.swaggerBody.schema, refs), required: inputs.swaggerBody.required === true, contentType: "application/json" };
  if (Object.keys(inputs.formFields).length === 0) return null;
  const consumes = Array.isArray(operation.consumes) ? operation.consumes.map(String) : [];
  const contentType = consumes.includes("multipart/form-data") ? "multipart/form-data" : "application/x-www-form-urlencoded";
  const schema = { type: "object", properties: inputs.formFields, ...(inputs.formRequired.length ? { required: inputs.formRequired } : {}) };
  return { schema: bodyInputSchema(contentType, schema), required: inputs.formRequired.length > 0, contentType };
}

function describe(operation: Json, method: string, path: string): { summary: string; description: string } {
  const summary = typeof operation.summary === "string" ? operation.summary.trim() : "";
  const long = typeof operation.description === "string" ? operation.description.trim() : "";
  return { summary, description: ([summary, long].filter(Boolean).join("\n\n") || `${method.toUpperCase()} ${path}`).slice(0, TOOL_LIMITS.maxDescriptionChars) };
}

/**
 * One operation as a tool: its path, query and header parameters plus a `body` property for the
 * request body form the input schema. An input schema over the tool limit is refused here, for this
 * operation only, with its size in the reason.
 */
export function prepareOperation(
  refs: LocalRefs,
  path: string,
  method: (typeof IMPORTED_METHODS)[number],
  pathItem: Json,
  operation: Json,
  usedNames: Set<string>,
): PreparedOperation | SkippedOperation {
  const key = `${method.toUpperCase()} ${path}`;
  const inputs = readParameters(refs, parametersOf(refs, pathItem, operation));
  const body = readBody(refs, operation, inputs);
  let bodyProperty: string | null = null;
  if (body) {
    bodyProperty = "body" in inputs.properties ? "requestBody" : "body";
    inputs.properties[bodyProperty] = { ...body.schema, description: String(body.schema.description ?? "The request body") };
    if (body.required) inputs.required.push(bodyProperty);
  }
  const inputSchema: Json = { type: "object", properties: inputs.properties, ...(inputs.required.length ? { required: inputs.required } : {}) };
  const size = JSON.stringify(inputSchema).length;
  if (size > TOOL_LIMITS.maxSchemaBytes) {
    return { key, method: method.toUpperCase(), path, reason: `Its input schema is ${Math.round(size / 1024)} KB, over the ${Math.round(TOOL_LIMITS.maxSchemaBytes / 1024)} KB a tool may have.` };
  }
  const operationId = typeof operation.operationId === "string" ? operation.operationId : null;
  const toolName = uniqueToolName(operationId, method, path, key, usedNames);
  usedNames.add(toolName);
  const { summary, description } = describe(operation, method, path);
  return {
    key,
    method: method.toUpperCase(),
    path,
    operationId,
    summary,
    toolName,
    notes: inputs.notes,
    description,
    inputSchema,
    config: {
      operation: key,
      method: method.toUpperCase() as HttpMethod,
      path,
      parameters: inputs.parameters,
      bodyProperty,
      bodyContentType: body?.contentType ?? null,
      timeoutMs: TOOL_LIMITS.defaultTimeoutMs,
      maxResponseBytes: TOOL_LIMITS.defaultResponseBytes,
    },
  };
}

export const isSkipped = (op: PreparedOperation | SkippedOperation): op is SkippedOperation => "reason" in op;
