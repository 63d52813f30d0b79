import yaml from "js-yaml";
import { ServiceError } from "@/lib/services/errors";
import type { ToolAuth } from "../schema";
import { IMPORTED_METHODS, SKIPPED_METHODS, isSkipped, prepareOperation, type PreparedOperation, type SkippedOperation } from "./operation";
import { LocalRefs, isObject, type Json } from "./refs";

/**
 * OpenAPI 3.x and Swagger 2.0 documents (JSON or YAML): parsed once, then read lazily. Listing the
 * operations reads only the `paths`; an operation's input schema expands just the references it
 * reaches (refs.ts), so a 13 MB description lists in well under a second and importing a handful
 * of its operations does not pay for the other thousand.
 */

export interface PreparedDocument {
  title: string;
  version: string;
  specVersion: string;
  servers: string[];
  securitySchemes: Record<string, string>;
  auth: ToolAuth;
  operations: PreparedOperation[];
  /** Operations that are not imported, with the reason (OPTIONS/TRACE, input schema over the limit). */
  skipped: SkippedOperation[];
  /** The document as parsed: JSON-safe. */
  raw: Json;
}

export function parseDocument(text: string): Json {
  let parsed: unknown;
  try {
    parsed = text.trimStart().startsWith("{") ? JSON.parse(text) : yaml.load(text, { schema: yaml.JSON_SCHEMA });
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

function schemeAuth(raw: Json): { summary: string; auth?: ToolAuth } {
  const type = String(raw.type);
  const scheme = String(raw.scheme ?? "").toLowerCase();
  if ((type === "http" && scheme === "bearer") || type === "oauth2" || type === "openIdConnect") {
    return { summary: type === "http" ? "HTTP bearer token" : `${type} (send an access token as a bearer token)`, auth: { type: "bearer", secret: "" } };
  }
  if ((type === "http" && scheme === "basic") || type === "basic") return { summary: "HTTP basic", auth: { type: "basic", username: "", secret: "" } };
  if (type === "apiKey" && (raw.in === "header" || raw.in === "query")) {
    return { summary: `API key in ${raw.in} ${String(raw.name)}`, auth: { type: "apiKey", in: raw.in, name: String(raw.name), secret: "" } };
  }
  return { summary: `${type}${scheme ? ` ${scheme}` : ""} (not supported; calls go without it)` };
}

/** Security schemes summarised, and the first usable one mapped to an auth setting (secret still to choose). */
function securityOf(doc: Json, refs: LocalRefs): { schemes: Record<string, string>; auth: ToolAuth } {
  const components = isObject(doc.components) ? doc.components : {};
  const defined = (isObject(components.securitySchemes) ? components.securitySchemes : isObject(doc.securityDefinitions) ? doc.securityDefinitions : {}) as Json;
  const schemes: Record<string, string> = {};
  const mapped = new Map<string, ToolAuth>();
  for (const [name, entry] of Object.entries(defined)) {
    const raw = refs.follow(entry);
    if (!raw) continue;
    const { summary, auth } = schemeAuth(raw);
    schemes[name] = summary;
    if (auth) mapped.set(name, auth);
  }
  const required = Array.isArray(doc.security) ? doc.security.filter(isObject).flatMap((req) => Object.keys(req)) : [];
  const chosen = [...required, ...mapped.keys()].find((name) => mapped.has(name));
  return { schemes, auth: chosen ? mapped.get(chosen)! : { type: "none" } };
}

export interface PrepareOptions {
  /** Names already taken in the workspace (another source's tools). */
  takenNames?: ReadonlySet<string>;
  /** Prepare only these operation keys ("GET /pets"); the others are listed but not expanded. */
  only?: ReadonlySet<string>;
}

/** Every operation of the document, in document order: imported methods first-class, OPTIONS/TRACE skipped. */
function* operationsOf(doc: Json, refs: LocalRefs) {
  for (const [path, entry] of Object.entries(doc.paths as Json)) {
    const pathItem = refs.follow(entry);
    if (!pathItem) continue;
    for (const [name, operation] of Object.entries(pathItem)) {
      const method = name.toLowerCase();
      if (!isObject(operation)) continue;
      if ((IMPORTED_METHODS as readonly string[]).includes(method)) yield { path, pathItem, operation, method: method as (typeof IMPORTED_METHODS)[number] };
      else if (SKIPPED_METHODS[method]) yield { path, pathItem, operation, method, skipped: SKIPPED_METHODS[method] };
    }
  }
}

/** Turns a parsed document's operations into prepared tools (nothing is stored). */
export function prepareParsed(raw: Json, options: PrepareOptions = {}): PreparedDocument {
  const refs = new LocalRefs(raw);
  const usedNames = new Set(options.takenNames ?? []);
  const operations: PreparedOperation[] = [];
  const skipped: SkippedOperation[] = [];
  for (const op of operationsOf(raw, refs)) {
    const key = `${op.method.toUpperCase()} ${op.path}`;
    if ("skipped" in op) {
      skipped.push({ key, method: op.method.toUpperCase(), path: op.path, reason: op.skipped! });
      continue;
    }
    if (options.only && !options.only.has(key)) continue;
    const prepared = prepareOperation(refs, op.path, op.method as (typeof IMPORTED_METHODS)[number], op.pathItem, op.operation, usedNames);
    if (isSkipped(prepared)) skipped.push(prepared);
    else operations.push(prepared);
  }
  const info = isObject(raw.info) ? raw.info : {};
  const { schemes, auth } = securityOf(raw, refs);
  return {
    title: String(info.title ?? "API"),
    version: String(info.version ?? ""),
    specVersion: String(raw.openapi ?? raw.swagger),
    servers: serversOf(raw),
    securitySchemes: schemes,
    auth,
    operations,
    skipped,
    raw,
  };
}

/** Parses and prepares a document's text (the unit tests' and the bench's entry point). */
export async function prepareOpenApi(text: string, takenNames: ReadonlySet<string> = new Set()): Promise<PreparedDocument> {
  return prepareParsed(parseDocument(text), { takenNames });
}
