import { createRequire } from "node:module";
import path from "node:path";

/**
 * The route handlers the web process calls itself, without Next (server/web.ts): the public API
 * (`/api/v1/…`, `/api/hooks/…`: API keys, webhook ids and signatures) and the chat apps' API
 * (`/api/chat/…`: the chat page and widget, by session or visitor cookie read from the request's
 * own headers). They are the same compiled modules Next serves (its build output, one instance per
 * process), matched with the patterns Next wrote for them (routes-manifest.json: static routes
 * first, then dynamic ones in Next's order, so `[...path]` stays the fallback). None of them uses
 * Next's request-scoped APIs (`headers()`, `cookies()`); studio routes do, and stay with Next.
 *
 * Why: Next's machinery around a route handler (router, request and work stores, tracing spans,
 * response finalisation) cost the synchronous run API about 2.5–3 ms of the web process's ~6 ms
 * of CPU per request (issue #9, bench/http-runs.ts with BENCH_WEB=next). Pages and every other
 * route are still served by Next.
 */

/** Path prefixes served directly. What proxy.ts does for /api/ paths is done by server/web.ts for them. */
export const DIRECT_PREFIXES = ["/api/v1/", "/api/hooks/", "/api/chat/"] as const;

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

export const isDirectPath = (pathname: string) => DIRECT_PREFIXES.some((prefix) => pathname.startsWith(prefix));

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
 * Loads every direct route of the build in `distDir` (`.next`). Throws when the build has no
 * manifests (run `npm run build`).
 */
export async function loadDirectRoutes(distDir: string) {
  const require = createRequire(path.join(distDir, "noop.js"));
  const manifest = require(path.join(distDir, "routes-manifest.json")) as RoutesManifest;
  const files = require(path.join(distDir, "server/app-paths-manifest.json")) as Record<string, string>;
  const serverDir = path.join(distDir, "server");
  const handlers = new Map<string, RouteHandlers>();
  for (const route of [...manifest.staticRoutes, ...manifest.dynamicRoutes]) {
    const file = files[`${route.page}/route`];
    if (isDirectPath(`${route.page}/`) && file) handlers.set(route.page, await loadHandlers(serverDir, file));
  }
  return directRouteTable(manifest, handlers);
}

export interface RoutesManifest {
  staticRoutes: ManifestRoute[];
  dynamicRoutes: ManifestRoute[];
}

/** The direct routes of `manifest` that have handlers, matched in Next's order: static routes first, then dynamic ones as listed. */
export function directRouteTable(manifest: RoutesManifest, handlers: Map<string, RouteHandlers>) {
  const routes = [...manifest.staticRoutes, ...manifest.dynamicRoutes]
    .filter((route) => isDirectPath(`${route.page}/`) && handlers.has(route.page))
    .map((route) => compile(route, handlers.get(route.page)!));
  return { match: (method: string, pathname: string) => matchRoute(routes, method, pathname), pages: routes.map((r) => r.page) };
}

export type DirectRoutes = ReturnType<typeof directRouteTable>;

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
