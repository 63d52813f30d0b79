import { z } from "zod";
import type { Action } from "@/lib/auth/permissions";
import { serviceErrorResponse } from "@/lib/services/respond";

/** Runs a route handler's work, turning ServiceErrors into their HTTP responses (and the rest into 500). */
export async function handle(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    return serviceErrorResponse(error);
  }
}

/**
 * Who may call a route handler, recorded on the handler itself by the wrapper that built it
 * (`withMember`, `withApiKey`, `publicRoute`), so the role-matrix test reads it from the route
 * modules: a handler without one is a route nobody decided the permission of.
 */
export type RouteAccess =
  | { kind: "member"; action: Action }
  | { kind: "apiKey"; action: Action }
  | { kind: "public"; reason: string };

/** A handler that declared no context (no dynamic segments) can be called with the request alone. */
type ContextArgs<Ctx> = unknown extends Ctx ? [context?: Ctx] : [context: Ctx];

export type RouteHandler<Ctx> = ((request: Request, ...context: ContextArgs<Ctx>) => Promise<Response>) & { readonly access: RouteAccess };

export function withAccess<Ctx>(access: RouteAccess, handler: (request: Request, context: Ctx) => Promise<Response>): RouteHandler<Ctx> {
  const route = (request: Request, ...context: ContextArgs<Ctx>) => handler(request, context[0] as Ctx);
  return Object.assign(route, { access });
}

/** The access a route module's exported handler declared, or null when it declared none. */
export function accessOf(handler: unknown): RouteAccess | null {
  if (typeof handler !== "function" || !("access" in handler)) return null;
  return (handler as { access: RouteAccess }).access;
}

/** A route open to anyone (e.g. the OpenAPI document, the auth handler); `reason` says why. */
export function publicRoute<Ctx>(reason: string, handler: (request: Request, context: Ctx) => Promise<Response>): RouteHandler<Ctx> {
  return withAccess({ kind: "public", reason }, handler);
}

/**
 * Ids in paths are row ids (uuids) or other short tokens; anything else (a NUL from `%00`, raw or
 * broken percent-encoding, lone surrogates, spaces) is refused here rather than reaching PostgreSQL.
 */
export const RouteIdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(128, "must be at most 128 characters")
  .regex(/^[A-Za-z0-9_-]+$/, "may only contain letters, digits, '-' and '_'");

const PARAM_ISSUE = (name: string, message: string) => ({ path: `params.${name}`, message: `The path parameter ${name} ${message}.` });

/**
 * The context with its `params` validated (every dynamic segment with RouteIdSchema), or a 400
 * `invalid_request` naming the bad segment. Contexts without params pass through.
 */
export async function parseRouteParams<Ctx>(context: Ctx): Promise<Ctx | Response> {
  const raw = (context as { params?: Promise<Record<string, unknown>> } | undefined)?.params;
  if (!raw) return context;
  const params = await raw;
  const issues: { path: string; message: string }[] = [];
  for (const [name, value] of Object.entries(params)) {
    for (const segment of Array.isArray(value) ? value : [value]) {
      const parsed = RouteIdSchema.safeParse(segment);
      if (!parsed.success) issues.push(PARAM_ISSUE(name, parsed.error.issues[0]!.message));
    }
  }
  if (issues.length) {
    return Response.json({ error: { code: "invalid_request", message: issues.map((i) => i.message).join(" "), issues } }, { status: 400 });
  }
  return { ...context, params: Promise.resolve(params) };
}
