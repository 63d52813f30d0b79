import { authenticateApiKey, type ApiCaller } from "@/lib/api-keys/authenticate";
import { withAuditContext } from "@/lib/audit/context";
import { requestFacts } from "@/lib/audit/request-facts";
import type { Action } from "@/lib/auth/permissions";
import { withTransportSecurity } from "@/lib/auth/security-headers";
import { env } from "@/lib/env";
import { parseRouteParams, withAccess, type RouteHandler } from "@/lib/http/route";
import { apiError, apiHandle } from "./errors";

/**
 * A public API route handler: path params validated (400) → Bearer key (401) → `action` granted by
 * one of the key's scopes and allowed for its creator's current role (403) → the handler, with
 * ServiceErrors mapped to responses. Authorization beyond that is by workspace: every query filters
 * by the key's workspace, so another workspace's ids answer 404. The action is recorded on the
 * handler (`.access`) for the role-matrix test. HSTS is added here: /api/v1 does not pass through proxy.ts.
 */
export function withApiKey<Ctx>(action: Action, handler: (request: Request, caller: ApiCaller, context: Ctx) => Promise<Response>): RouteHandler<Ctx> {
  return withAccess({ kind: "apiKey", action }, async (request: Request, context: Ctx) =>
    withTransportSecurity(await apiHandle(async () => {
      const parsed = await parseRouteParams(context);
      if (parsed instanceof Response) return parsed;
      const caller = await authenticateApiKey(request.headers, action);
      if ("status" in caller) {
        return apiError(caller.status, caller.code, caller.message, {}, caller.status === 401 ? { "WWW-Authenticate": 'Bearer realm="weft"' } : {});
      }
      const apiKey = { id: caller.keyId, label: caller.member.name };
      return withAuditContext({ ...requestFacts(request), apiKey }, () => handler(request, caller, parsed));
    }), env().BETTER_AUTH_URL),
  );
}
