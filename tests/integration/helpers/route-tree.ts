import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { accessOf, type RouteAccess } from "@/lib/http/route";
import { BASE_URL } from "./session";

/**
 * Every route handler under app/api, found by walking the file tree (not a hand-kept list), so a new
 * route is covered by the tests that use this as soon as its file exists.
 */

const API_ROOT = fileURLToPath(new URL("../../../app/api", import.meta.url));
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

type Handler = (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

export interface RouteMethod {
  /** e.g. `POST /api/workflows/[id]/publish` */
  label: string;
  file: string;
  /** The URL path pattern, with Next's `[id]` segments. */
  pattern: string;
  method: HttpMethod;
  /** Dynamic segments: `[id]` → "id"; `[...all]` is a catch-all (an array). */
  params: { name: string; catchAll: boolean }[];
  handler: Handler;
  /** What the route's wrapper recorded (withMember / withApiKey / publicRoute); null when it declared nothing. */
  access: RouteAccess | null;
}

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

function paramsOf(pattern: string): RouteMethod["params"] {
  return [...pattern.matchAll(/\[(\.\.\.)?([^\]]+)\]/g)].map((m) => ({ name: m[2]!, catchAll: Boolean(m[1]) }));
}

/** Imports every route module under app/api and lists its exported HTTP methods. */
export async function discoverRoutes(): Promise<RouteMethod[]> {
  const found: RouteMethod[] = [];
  for (const file of routeFiles(API_ROOT).sort()) {
    const relative = path.relative(API_ROOT, path.dirname(file)).split(path.sep).join("/");
    const pattern = `/api/${relative}`;
    const module = (await import(file)) as Record<string, unknown>;
    for (const method of HTTP_METHODS) {
      const handler = module[method];
      if (typeof handler !== "function") continue;
      found.push({ label: `${method} ${pattern}`, file, pattern, method, params: paramsOf(pattern), handler: handler as Handler, access: accessOf(handler) });
    }
  }
  return found;
}

/** Percent-encodes a segment; a value that cannot be encoded (a lone surrogate) goes in as it is, like a hostile client would send it. */
function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The URL path and the `params` Next would pass, with each dynamic segment set by `valueOf`. */
export function fillParams(route: RouteMethod, valueOf: (name: string) => string) {
  const params: Record<string, string | string[]> = {};
  let url = route.pattern;
  for (const { name, catchAll } of route.params) {
    const value = valueOf(name);
    params[name] = catchAll ? [value] : value;
    url = url.replace(catchAll ? `[...${name}]` : `[${name}]`, encodeSegment(value));
  }
  return { url, context: { params: Promise.resolve(params) } };
}

/**
 * Calls a discovered handler directly, as Next would: dynamic segments from `valueOf`, the given
 * headers, and `body` (a string, sent as JSON) for anything but GET.
 */
export function invokeRoute(route: RouteMethod, options: { valueOf: (name: string) => string; headers: Record<string, string>; body?: string }): Promise<Response> {
  const { url, context } = fillParams(route, options.valueOf);
  const body = route.method === "GET" ? undefined : options.body;
  const headers = { ...options.headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) };
  return route.handler(new Request(`${BASE_URL}${url}`, { method: route.method, headers, body }), context);
}
