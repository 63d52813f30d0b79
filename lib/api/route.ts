import { authenticateApiKey, type ApiCaller, type KeyReader } from "@/lib/api-keys/authenticate";
import { withAuditContext } from "@/lib/audit/context";
import { requestFacts } from "@/lib/audit/request-facts";
import type { Action } from "@/lib/auth/permissions";
import { withTransportSecurity } from "@/lib/auth/security-headers";
import { env } from "@/lib/env";
import { parseRouteParams, withAccess, type RouteHandler } from "@/lib/http/route";
import { apiError, apiHandle } from "./errors";

/**
 * Something a route reads in the same statement as the caller's key (one round trip instead of
 * two): `read` replaces the key's own lookup; `result()` is for the handler, once the key passed.
 */
export interface KeyCompanion<T> {
  read: KeyReader;
  result(): Promise<T>;
}

/**
 * A public API route handler: path params validated (400) → Bearer key (401) → `action` granted by
 * one of the key's scopes and allowed for its creator's current role (403) → the handler, with
 * ServiceErrors mapped to responses. Authorization beyond that is by workspace: every query filters
 * by the key's workspace, so another workspace's ids answer 404. The action is recorded on the
 * handler (`.access`) for the role-matrix test. HSTS is added here: /api/v1 does not pass through proxy.ts.
 * `companion` (from the path's params) reads more with the key; the handler may ask for its result.
 */
export function withApiKey<Ctx, T = undefined>(
  action: Action,
  handler: (request: Request, caller: ApiCaller, context: Ctx, companion: (() => Promise<T>) | undefined) => Promise<Response>,
  companion?: (params: Record<string, string | string[]>) => KeyCompanion<T>,
): RouteHandler<Ctx> {
  return withAccess({ kind: "apiKey", action }, async (request: Request, context: Ctx) =>
    withTransportSecurity(await apiHandle(async () => {
      const parsed = await parseRouteParams(context);
      if (parsed instanceof Response) return parsed;
      const reading = companion?.((await (parsed as { params?: Promise<Record<string, string | string[]>> }).params) ?? {});
      const caller = await authenticateApiKey(request.headers, action, reading?.read);
      if ("status" in caller) {
        return apiError(caller.status, caller.code, caller.message, {}, caller.status === 401 ? { "WWW-Authenticate": 'Bearer realm="weft"' } : {});
      }
      const apiKey = { id: caller.keyId, label: caller.member.name };
      return withAuditContext({ ...requestFacts(request), apiKey }, () => handler(request, caller, parsed, reading?.result));
    }), env().BETTER_AUTH_URL),
  );
}
