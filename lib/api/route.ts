import { authenticateApiKey, type ApiCaller } from "@/lib/api-keys/authenticate";
import type { ApiScope } from "@/lib/api-keys/scopes";
import { apiError, apiHandle } from "./errors";

/**
 * A public API route handler: authenticate the Bearer key, check the scope, then run the handler
 * with ServiceErrors mapped to responses. Authorization beyond the scope is by workspace: every
 * query filters by the key's workspace, so another workspace's ids answer 404.
 */
export function withApiKey<Ctx>(
  scope: ApiScope,
  handler: (request: Request, caller: ApiCaller, context: Ctx) => Promise<Response>,
): (request: Request, context: Ctx) => Promise<Response> {
  return (request, context) =>
    apiHandle(async () => {
      const caller = await authenticateApiKey(request.headers, scope);
      if ("status" in caller) {
        return apiError(caller.status, caller.code, caller.message, {}, caller.status === 401 ? { "WWW-Authenticate": 'Bearer realm="weft"' } : {});
      }
      return handler(request, caller, context);
    });
}
