import { createRequire } from "node:module";
import path from "node:path";

/**
 * The public API's route handlers (`/api/v1/…` and `/api/hooks/…`), found the way Next finds them
 * and called directly: the same compiled modules Next serves (its build output, one instance per
 * process), matched with the patterns Next wrote for them (routes-manifest.json: static routes
 * first, then dynamic ones in Next's order, so `[...path]` stays the fallback).
 *
 * Why: these routes need none of what Next adds around a route handler (pages, middleware, request
 * stores, React caches, tracing spans); they are authenticated by API key, webhook id or signature,
 * and proxy.ts already skips them. That machinery cost the synchronous run API about 2.5–3.5 ms of
 * the web process's ~6 ms of CPU per request (issue #9, bench/http-runs.ts). Every other path is
 * still served by Next.
 */

/** Path prefixes served here; they are exactly the API paths proxy.ts's matcher leaves out (no session, no cookies). */
export const PUBLIC_API_PREFIXES = ["/api/v1/", "/api/hooks/"] as const;

export type RouteContext = { params: Promise<Record<string, string | string[]>> };
export type RouteHandlerFn = (request: Request, context: RouteContext) => Promise<Response> | Response;

export interface ManifestRoute {
  page: string;
  regex: string;
  routeKeys: Record<string, string>;
  namedRegex: string;
}

export type RouteHandlers = Partial<Record<string, RouteHandlerFn>>;

interface CompiledRoute {
  page: string;
  pattern: RegExp;
  /** Named group → [param name, whether it is a catch-all] */
  params: [group: string, name: string, catchAll: boolean][];
  handlers: RouteHandlers;
}

export type RouteMatch =
  | { kind: "route"; handler: RouteHandlerFn; params: Record<string, string | string[]>; page: string }
  | { kind: "bad-path" }
  | null;

interface RouteModule {
  routeModule?: { ensureUserland?: () => Promise<void>; userland?: Record<string, unknown> };
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

export const isPublicApiPath = (pathname: string) => PUBLIC_API_PREFIXES.some((prefix) => pathname.startsWith(prefix));

/** `[id]` → id, `[...path]` / `[[...path]]` → path (catch-all), from the page's own segment names. */
function segmentParams(page: string): Map<string, boolean> {
  const params = new Map<string, boolean>();
  for (const match of page.matchAll(/\[\[?(\.\.\.)?([^\]]+)\]\]?/g)) params.set(match[2]!, Boolean(match[1]));
  return params;
}

function compile(route: ManifestRoute, handlers: RouteHandlers): CompiledRoute {
  const segments = segmentParams(route.page);
  const params = Object.keys(route.routeKeys).map((group): [string, string, boolean] => {
    // Next names a route param's group `nxtP<name>` (routeKeys keeps the group name).
    const name = group.startsWith("nxtP") ? group.slice(4) : group;
    return [group, name, segments.get(name) ?? false];
  });
  return { page: route.page, pattern: new RegExp(route.namedRegex), params, handlers };
}

async function loadHandlers(serverDir: string, file: string): Promise<RouteHandlers> {
  const require = createRequire(path.join(serverDir, "noop.js"));
  const loaded = require(path.join(serverDir, file)) as RouteModule;
  const routeModule = loaded.routeModule;
  await routeModule?.ensureUserland?.();
  const userland = routeModule?.userland ?? {};
  const handlers: RouteHandlers = {};
  for (const method of METHODS) if (typeof userland[method] === "function") handlers[method] = userland[method] as RouteHandlerFn;
  return handlers;
}

/**
 * Loads every public API route of the build in `distDir` (`.next`). Throws when the build has no
 * manifests (run `npm run build`).
 */
export async function loadPublicApiRoutes(distDir: string) {
  const require = createRequire(path.join(distDir, "noop.js"));
  const manifest = require(path.join(distDir, "routes-manifest.json")) as RoutesManifest;
  const files = require(path.join(distDir, "server/app-paths-manifest.json")) as Record<string, string>;
  const serverDir = path.join(distDir, "server");
  const handlers = new Map<string, RouteHandlers>();
  for (const route of [...manifest.staticRoutes, ...manifest.dynamicRoutes]) {
    const file = files[`${route.page}/route`];
    if (isPublicApiPath(`${route.page}/`) && file) handlers.set(route.page, await loadHandlers(serverDir, file));
  }
  return publicApiRouteTable(manifest, handlers);
}

export interface RoutesManifest {
  staticRoutes: ManifestRoute[];
  dynamicRoutes: ManifestRoute[];
}

/** The public API routes of `manifest` that have handlers, matched in Next's order: static routes first, then dynamic ones as listed. */
export function publicApiRouteTable(manifest: RoutesManifest, handlers: Map<string, RouteHandlers>) {
  const routes = [...manifest.staticRoutes, ...manifest.dynamicRoutes]
    .filter((route) => isPublicApiPath(`${route.page}/`) && handlers.has(route.page))
    .map((route) => compile(route, handlers.get(route.page)!));
  return { match: (method: string, pathname: string) => matchRoute(routes, method, pathname), pages: routes.map((r) => r.page) };
}

export type PublicApiRoutes = ReturnType<typeof publicApiRouteTable>;

/**
 * The handler for `method` on `pathname`, or null when Next should answer (no such route, or a
 * method the route does not export: Next's 405 and automatic OPTIONS). HEAD falls back to GET, as
 * in Next. A path whose parameters are not valid percent-encoding is a `bad-path` (Next: 400).
 */
function matchRoute(routes: CompiledRoute[], method: string, pathname: string): RouteMatch {
  for (const route of routes) {
    const found = route.pattern.exec(pathname);
    if (!found) continue;
    const handler = route.handlers[method] ?? (method === "HEAD" ? route.handlers.GET : undefined);
    if (!handler) return null;
    const params: Record<string, string | string[]> = {};
    try {
      for (const [group, name, catchAll] of route.params) {
        const raw = found.groups?.[group];
        if (raw === undefined) continue;
        params[name] = catchAll ? raw.split("/").map(decodeURIComponent) : decodeURIComponent(raw);
      }
    } catch {
      return { kind: "bad-path" };
    }
    return { kind: "route", handler, params, page: route.page };
  }
  return null;
}
