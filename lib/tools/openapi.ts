import SwaggerParser from "@apidevtools/swagger-parser";
import yaml from "js-yaml";
import { z } from "zod";
import { recordMemberAction } from "@/lib/audit/member-action";
import { auditToolSource } from "./audit";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { Prisma } from "@/lib/generated/prisma/client";
import type { HttpMethod } from "@/lib/nodes/http/definition";
import { assertMayReferenceSecrets } from "@/lib/secrets/policy";
import { ServiceError, forbidden } from "@/lib/services/errors";
import { TOOL_LIMITS, ToolAuthSchema, type OpenApiSourceConfig, type OpenApiToolConfig, type ToolAuth } from "./schema";

/**
 * OpenAPI 3.x and Swagger 2.0 import (JSON or YAML). `@apidevtools/swagger-parser` dereferences the
 * document (circular references are left as `$ref` and become open schemas; external references are
 * never fetched: an import must not make the server reach out). Each chosen operation becomes a
 * tool of kind `openapi` whose input schema holds its path, query and header parameters plus a
 * `body` property for the request body; servers and security schemes go to the ToolSource.
 */

export const MAX_DOCUMENT_CHARS = 10 * 1024 * 1024;
const METHODS = ["get", "put", "post", "delete", "patch", "head"] as const;
const MAX_SCHEMA_DEPTH = 12;

export const OpenApiImportSchema = z.object({
  /** The document as pasted or uploaded (JSON or YAML). */
  text: z.string().min(1, "Paste or upload an OpenAPI document").max(MAX_DOCUMENT_CHARS),
  /** The source's name (unique per workspace); importing again under the same name updates its tools. */
  sourceName: z.string().trim().min(1).max(80).optional(),
  /** Operation keys ("GET /pets/{petId}") to import; all when absent. */
  operations: z.array(z.string()).max(5_000).optional(),
  /** Overrides the document's first server URL. */
  baseUrl: z.string().trim().max(2_000).optional(),
  /** Auth for every operation (a secret reference); by default mapped from the document's security schemes, secret unset. */
  auth: ToolAuthSchema.optional(),
});
export type OpenApiImportInput = z.input<typeof OpenApiImportSchema>;

export interface OperationSummary {
  key: string;
  method: string;
  path: string;
  operationId: string | null;
  summary: string;
  toolName: string;
}

export interface PreparedOperation extends OperationSummary {
  description: string;
  inputSchema: Record<string, unknown>;
  config: OpenApiToolConfig;
}

export interface PreparedDocument {
  title: string;
  version: string;
  specVersion: string;
  servers: string[];
  securitySchemes: Record<string, string>;
  auth: ToolAuth;
  operations: PreparedOperation[];
  /** The document as parsed (before dereferencing): JSON-safe, stored on the source. */
  raw: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function parseText(text: string): Json {
  let parsed: unknown;
  const trimmed = text.trimStart();
  try {
    parsed = trimmed.startsWith("{") ? JSON.parse(text) : yaml.load(text, { schema: yaml.JSON_SCHEMA });
  } catch (error) {
    throw new ServiceError("invalid_request", `The document is neither valid JSON nor YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (!isObject(parsed)) throw new ServiceError("invalid_request", "The document must be a JSON or YAML object.");
  const spec = typeof parsed.openapi === "string" ? parsed.openapi : parsed.swagger === "2.0" ? "2.0" : null;
  if (!spec || !(spec === "2.0" || spec.startsWith("3."))) {
    throw new ServiceError("invalid_request", 'This is not an OpenAPI 3.x or Swagger 2.0 document (no "openapi: 3.x" or "swagger: \"2.0\"").');
  }
  if (!isObject(parsed.paths)) throw new ServiceError("invalid_request", 'The document has no "paths".');
  return parsed;
}

/** A tool name from the operation: its operationId, else method and path, made safe for function names. */
export function toolNameFor(operationId: string | null, method: string, path: string): string {
  const base = (operationId ?? `${method}_${path}`).replace(/[^A-Za-z0-9_-]+/g, "_").replace(/_+/g, "_").replace(/^_|_$/g, "");
  return (base || method).slice(0, 64);
}

/** An OpenAPI (3.0 or Swagger) schema as JSON Schema 2020-12, bounded in depth. */
export function toJsonSchema(schema: unknown, depth = 0): Json {
  if (!isObject(schema)) return {};
  if (depth > MAX_SCHEMA_DEPTH) return { description: "(nested too deep to describe)" };
  // What is left of a $ref after dereferencing is a circular one: describe it, accept anything.
  if (typeof schema.$ref === "string") return { description: `Recursive structure (${schema.$ref.split("/").pop()})` };
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    switch (key) {
      case "nullable":
      case "discriminator":
      case "xml":
      case "externalDocs":
      case "example":
      case "x-nullable":
        break;
      case "type":
        out.type = value === "file" ? "string" : value;
        break;
      case "properties":
      case "patternProperties":
        if (isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub, depth + 1)]));
        break;
      case "items":
      case "additionalProperties":
      case "not":
        out[key] = typeof value === "boolean" ? value : toJsonSchema(value, depth + 1);
        break;
      case "allOf":
      case "anyOf":
      case "oneOf":
        if (Array.isArray(value)) out[key] = value.map((sub) => toJsonSchema(sub, depth + 1));
        break;
      default:
        if (!key.startsWith("x-")) out[key] = value;
    }
  }
  if ((schema.nullable === true || schema["x-nullable"] === true) && typeof out.type === "string") out.type = [out.type, "null"];
  return out;
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
function paramSchema(param: RawParam): Json {
  const inline = Object.fromEntries(
    Object.entries({ type: param.type, items: param.items, enum: param.enum, format: param.format, default: param.default }).filter(([, v]) => v !== undefined),
  );
  const base = toJsonSchema(param.schema !== undefined ? param.schema : inline);
  return param.description && !base.description ? { ...base, description: param.description } : base;
}

function pickContent(content: unknown): { type: string; schema: unknown } | null {
  if (!isObject(content)) return null;
  const types = Object.keys(content);
  const type = types.find((t) => t === "application/json") ?? types.find((t) => /\+json$|\/json/.test(t)) ?? types.find((t) => t === "application/x-www-form-urlencoded") ?? types[0];
  if (!type) return null;
  const media = content[type];
  return { type, schema: isObject(media) ? media.schema : undefined };
}

function serversOf(doc: Json): string[] {
  if (Array.isArray(doc.servers)) {
    return doc.servers.filter(isObject).map((server) => {
      let url = String(server.url ?? "");
      if (isObject(server.variables)) {
        for (const [name, variable] of Object.entries(server.variables)) {
          url = url.split(`{${name}}`).join(isObject(variable) ? String(variable.default ?? "") : "");
        }
      }
      return url;
    });
  }
  if (typeof doc.host === "string") {
    const scheme = Array.isArray(doc.schemes) && doc.schemes.includes("https") ? "https" : Array.isArray(doc.schemes) && doc.schemes[0] ? String(doc.schemes[0]) : "https";
    return [`${scheme}://${doc.host}${typeof doc.basePath === "string" ? doc.basePath : ""}`];
  }
  return [];
}

/** Security schemes summarised, and the first usable one mapped to an auth setting (secret still to choose). */
function securityOf(doc: Json): { schemes: Record<string, string>; auth: ToolAuth } {
  const components = isObject(doc.components) ? doc.components : {};
  const defined = (isObject(components.securitySchemes) ? components.securitySchemes : isObject(doc.securityDefinitions) ? doc.securityDefinitions : {}) as Json;
  const schemes: Record<string, string> = {};
  const mapped = new Map<string, ToolAuth>();
  for (const [name, raw] of Object.entries(defined)) {
    if (!isObject(raw)) continue;
    const type = String(raw.type);
    const scheme = String(raw.scheme ?? "").toLowerCase();
    if ((type === "http" && scheme === "bearer") || type === "oauth2" || type === "openIdConnect") {
      schemes[name] = type === "http" ? "HTTP bearer token" : `${type} (send an access token as a bearer token)`;
      mapped.set(name, { type: "bearer", secret: "" });
    } else if ((type === "http" && scheme === "basic") || type === "basic") {
      schemes[name] = "HTTP basic";
      mapped.set(name, { type: "basic", username: "", secret: "" });
    } else if (type === "apiKey" && (raw.in === "header" || raw.in === "query")) {
      schemes[name] = `API key in ${raw.in} ${String(raw.name)}`;
      mapped.set(name, { type: "apiKey", in: raw.in, name: String(raw.name), secret: "" });
    } else {
      schemes[name] = `${type}${scheme ? ` ${scheme}` : ""} (not supported; calls go without it)`;
    }
  }
  const required = Array.isArray(doc.security) ? doc.security.filter(isObject).flatMap((req) => Object.keys(req)) : [];
  const chosen = [...required, ...mapped.keys()].find((name) => mapped.has(name));
  return { schemes, auth: chosen ? mapped.get(chosen)! : { type: "none" } };
}

function prepareOperation(path: string, method: (typeof METHODS)[number], pathItem: Json, operation: Json, usedNames: Set<string>): PreparedOperation {
  const merged = new Map<string, RawParam>();
  for (const list of [pathItem.parameters, operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const param of list.filter(isObject) as unknown as RawParam[]) merged.set(`${param.in}:${param.name}`, param);
  }
  const properties: Json = {};
  const required: string[] = [];
  const parameters: OpenApiToolConfig["parameters"] = [];
  let bodySchema: Json | null = null;
  let bodyRequired = false;
  let bodyContentType: string | null = null;
  const formFields: Json = {};
  const formRequired: string[] = [];
  for (const param of merged.values()) {
    if (param.in === "body") {
      bodySchema = toJsonSchema(param.schema);
      bodyRequired = param.required === true;
      bodyContentType = "application/json";
    } else if (param.in === "formData") {
      formFields[param.name] = paramSchema(param);
      if (param.required) formRequired.push(param.name);
    } else if ((param.in === "path" || param.in === "query" || param.in === "header") && !(param.name in properties)) {
      properties[param.name] = paramSchema(param);
      const isRequired = param.in === "path" || param.required === true;
      if (isRequired) required.push(param.name);
      parameters.push({ name: param.name, in: param.in, required: isRequired });
    }
  }
  if (Object.keys(formFields).length > 0 && !bodySchema) {
    bodySchema = { type: "object", properties: formFields, ...(formRequired.length ? { required: formRequired } : {}) };
    bodyRequired = formRequired.length > 0;
    bodyContentType = "application/x-www-form-urlencoded";
  }
  if (isObject(operation.requestBody)) {
    const picked = pickContent(operation.requestBody.content);
    if (picked) {
      bodySchema = toJsonSchema(picked.schema);
      bodyContentType = picked.type;
      bodyRequired = operation.requestBody.required === true;
    }
  }
  let bodyProperty: string | null = null;
  if (bodySchema) {
    bodyProperty = "body" in properties ? "requestBody" : "body";
    properties[bodyProperty] = { ...bodySchema, description: String(bodySchema.description ?? "The request body") };
    if (bodyRequired) required.push(bodyProperty);
  }
  const operationId = typeof operation.operationId === "string" ? operation.operationId : null;
  let toolName = toolNameFor(operationId, method, path);
  for (let n = 2; usedNames.has(toolName); n++) toolName = `${toolNameFor(operationId, method, path).slice(0, 60)}_${n}`;
  usedNames.add(toolName);
  const summary = typeof operation.summary === "string" ? operation.summary.trim() : "";
  const long = typeof operation.description === "string" ? operation.description.trim() : "";
  const description = ([summary, long].filter(Boolean).join("\n\n") || `${method.toUpperCase()} ${path}`).slice(0, TOOL_LIMITS.maxDescriptionChars);
  const key = `${method.toUpperCase()} ${path}`;
  return {
    key,
    method: method.toUpperCase(),
    path,
    operationId,
    summary,
    toolName,
    description,
    inputSchema: { type: "object", properties, ...(required.length ? { required } : {}) },
    config: {
      operation: key,
      method: method.toUpperCase() as HttpMethod,
      path,
      parameters,
      bodyProperty,
      bodyContentType,
      timeoutMs: TOOL_LIMITS.defaultTimeoutMs,
      maxResponseBytes: TOOL_LIMITS.defaultResponseBytes,
    },
  };
}

/** Parses, dereferences and turns every operation into a prepared tool (nothing is stored). */
export async function prepareOpenApi(text: string, takenNames: ReadonlySet<string> = new Set()): Promise<PreparedDocument> {
  const raw = parseText(text);
  let doc: Json;
  try {
    doc = (await SwaggerParser.dereference(structuredClone(raw) as never, {
      resolve: { external: false },
      dereference: { circular: "ignore" },
    })) as unknown as Json;
  } catch (error) {
    throw new ServiceError("invalid_request", `The document could not be read: ${(error as Error).message.split("\n")[0]}`);
  }
  const info = isObject(doc.info) ? doc.info : {};
  const usedNames = new Set(takenNames);
  const operations: PreparedOperation[] = [];
  for (const [path, pathItem] of Object.entries(doc.paths as Json)) {
    if (!isObject(pathItem)) continue;
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (isObject(operation)) operations.push(prepareOperation(path, method, pathItem, operation, usedNames));
    }
  }
  const { schemes, auth } = securityOf(doc);
  return {
    title: String(info.title ?? "API"),
    version: String(info.version ?? ""),
    specVersion: String(doc.openapi ?? doc.swagger),
    servers: serversOf(doc),
    securitySchemes: schemes,
    auth,
    operations,
    raw,
  };
}

/** JSON with sorted keys: PostgreSQL's jsonb does not keep key order, so stored and fresh objects compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

const summaryOf = (op: PreparedOperation): OperationSummary => ({
  key: op.key,
  method: op.method,
  path: op.path,
  operationId: op.operationId,
  summary: op.summary,
  toolName: op.toolName,
});

/** What the import dialog shows before anything is stored. */
export async function previewOpenApi(member: Member, text: string) {
  requirePermission(member, "tool.manage");
  const doc = await prepareOpenApi(text);
  return {
    title: doc.title,
    version: doc.version,
    specVersion: doc.specVersion,
    servers: doc.servers,
    securitySchemes: doc.securitySchemes,
    auth: doc.auth,
    operations: doc.operations.map(summaryOf),
  };
}

export type OpenApiPreview = Awaited<ReturnType<typeof previewOpenApi>>;

export interface ImportResult {
  sourceId: string;
  sourceName: string;
  created: number;
  updated: number;
  removed: number;
  tools: { id: string; name: string; operation: string }[];
}

/**
 * Stores the source and one tool per chosen operation. Importing again under the same source name
 * updates that source's tools in place (version bumped when something changed), adds new operations
 * and removes the ones no longer chosen.
 */
export async function importOpenApi(member: Member, input: OpenApiImportInput, db: Db = defaultDb()): Promise<ImportResult> {
  requirePermission(member, "tool.manage");
  const data = OpenApiImportSchema.parse(input);
  const raw = parseText(data.text);
  const title = isObject(raw.info) && typeof raw.info.title === "string" ? raw.info.title : "API";
  const sourceName = (data.sourceName ?? title).slice(0, 80);
  const existingSource = await db.toolSource.findFirst({ where: { workspaceId: member.workspaceId, name: sourceName } });
  if (existingSource && existingSource.kind !== "openapi") throw new ServiceError("conflict", `A tool source named ${sourceName} already exists and is not an OpenAPI import.`);
  const existingTools = existingSource ? await db.tool.findMany({ where: { sourceId: existingSource.id } }) : [];
  const byOperation = new Map(existingTools.map((t) => [String((t.config as Json).operation), t]));
  const others = await db.tool.findMany({ where: { workspaceId: member.workspaceId, NOT: { sourceId: existingSource?.id ?? "" } }, select: { name: true } });

  const doc = await prepareOpenApi(data.text, new Set(others.map((t) => t.name)));
  const wanted = data.operations ? new Set(data.operations) : null;
  const chosen = wanted ? doc.operations.filter((op) => wanted.has(op.key)) : doc.operations;
  if (wanted) {
    const unknown = [...wanted].filter((key) => !doc.operations.some((op) => op.key === key));
    if (unknown.length) throw new ServiceError("invalid_request", `The document has no operation ${unknown.slice(0, 5).join(", ")}.`);
  }
  if (chosen.length === 0) throw new ServiceError("invalid_request", "Choose at least one operation to import.");

  const previousAuth = existingSource ? ToolAuthSchema.safeParse((existingSource.config as Json).auth) : null;
  const auth = data.auth ?? (previousAuth?.success && previousAuth.data.type === doc.auth.type ? previousAuth.data : doc.auth);
  const config: OpenApiSourceConfig = {
    baseUrl: data.baseUrl ?? doc.servers.find((s) => /^https?:\/\//.test(s)) ?? "",
    servers: doc.servers,
    auth,
    securitySchemes: doc.securitySchemes,
    title: doc.title,
    version: doc.version,
  };

  const result = await db.$transaction(
    async (tx) => {
      const source = existingSource
        ? await tx.toolSource.update({ where: { id: existingSource.id }, data: { config: config as unknown as Prisma.InputJsonValue, document: doc.raw as Prisma.InputJsonValue, lastSyncedAt: new Date() } })
        : await tx.toolSource.create({
            data: { workspaceId: member.workspaceId, kind: "openapi", name: sourceName, config: config as unknown as Prisma.InputJsonValue, document: doc.raw as Prisma.InputJsonValue, createdById: member.userId, lastSyncedAt: new Date() },
          });
      let updated = 0;
      const fresh: Prisma.ToolCreateManyInput[] = [];
      const tools: ImportResult["tools"] = [];
      for (const op of chosen) {
        const previous = byOperation.get(op.key);
        if (previous) {
          byOperation.delete(op.key);
          const same = canonical(previous.inputSchema) === canonical(op.inputSchema) && canonical(previous.config) === canonical(op.config) && previous.description === op.description;
          if (!same) {
            await tx.tool.update({
              where: { id: previous.id },
              data: { inputSchema: op.inputSchema as Prisma.InputJsonValue, config: op.config as Prisma.InputJsonValue, description: op.description, version: { increment: 1 } },
            });
            updated++;
          }
          tools.push({ id: previous.id, name: previous.name, operation: op.key });
        } else {
          const id = crypto.randomUUID();
          fresh.push({
            id,
            workspaceId: member.workspaceId,
            kind: "openapi",
            name: op.toolName,
            description: op.description,
            inputSchema: op.inputSchema as Prisma.InputJsonValue,
            config: op.config as Prisma.InputJsonValue,
            sourceId: source.id,
            ownerId: member.userId,
          });
          tools.push({ id, name: op.toolName, operation: op.key });
        }
      }
      if (fresh.length) await tx.tool.createMany({ data: fresh });
      const stale = [...byOperation.values()].map((t) => t.id);
      if (stale.length) await tx.tool.deleteMany({ where: { id: { in: stale } } });
      return { sourceId: source.id, sourceName: source.name, created: fresh.length, updated, removed: stale.length, tools };
    },
    { timeout: 60_000 },
  );
  const counts = { kind: "openapi", created: result.created, updated: result.updated, removed: result.removed };
  await recordMemberAction(member, existingSource ? "tool_source.updated" : "tool_source.created", { type: "tool_source", id: result.sourceId, label: result.sourceName }, { metadata: counts });
  return result;
}

/** Changes a source's base URL or auth (the tools keep their operations). */
export const UpdateOpenApiSourceSchema = z.object({ baseUrl: z.string().trim().max(2_000).optional(), auth: ToolAuthSchema.optional() });

export async function updateOpenApiSource(member: Member, id: string, input: z.input<typeof UpdateOpenApiSourceSchema>, db: Db = defaultDb()) {
  requirePermission(member, "tool.manage");
  const data = UpdateOpenApiSourceSchema.parse(input);
  const source = await db.toolSource.findFirst({ where: { id, workspaceId: member.workspaceId, kind: "openapi" } });
  if (!source) throw new ServiceError("not_found", "OpenAPI source not found.");
  const config = { ...(source.config as Json), ...(data.baseUrl !== undefined ? { baseUrl: data.baseUrl } : {}), ...(data.auth ? { auth: data.auth } : {}) };
  await assertMayReferenceSecrets(db, member, config, source.config);
  await db.toolSource.update({ where: { id }, data: { config: config as Prisma.InputJsonValue } });
  await auditToolSource(member, "tool_source.updated", { ...(source.config as Json), id, name: source.name }, { ...config, id, name: source.name });
  return { id, name: source.name, config };
}

export async function deleteToolSource(member: Member, id: string, db: Db = defaultDb()): Promise<void> {
  requirePermission(member, "tool.manage");
  const source = await db.toolSource.findFirst({ where: { id, workspaceId: member.workspaceId, kind: "openapi" }, select: { id: true, name: true } });
  const deleted = await db.toolSource.deleteMany({ where: { id, workspaceId: member.workspaceId, kind: "openapi" } });
  if (!source || deleted.count === 0) throw new ServiceError("not_found", "OpenAPI source not found.");
  await auditToolSource(member, "tool_source.deleted", source, null);
}
