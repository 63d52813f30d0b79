import type { z } from "zod";
import { withAuditContext } from "@/lib/audit/context";
import { requestFacts } from "@/lib/audit/request-facts";
import { jsonError } from "@/lib/auth/json-error";
import type { Member } from "@/lib/auth/member";
import { crossOriginRefusal } from "@/lib/auth/origin";
import { withTransportSecurity } from "@/lib/auth/security-headers";
import { can, refusalMessage, type Action } from "@/lib/auth/permissions";
import { resolveMember } from "@/lib/auth/resolve";
import { env } from "@/lib/env";
import { findJsonInputProblem } from "@/lib/http/json-input";
import { readBodyBytes } from "@/lib/http/read-limited";
import { handle, parseRouteParams, withAccess, type RouteHandler } from "@/lib/http/route";

export { jsonError };

/** Largest request body a JSON route accepts (graphs are the biggest bodies). */
export const MAX_JSON_BODY_BYTES = 2 * 1024 * 1024;
/** Largest body of a route carrying a whole workflow graph (up to LIMITS.maxGraphNodes nodes). */
export const MAX_GRAPH_BODY_BYTES = 16 * 1024 * 1024;

/**
 * The member behind a request (session cookie, `weft_workspace` cookie), or the response to
 * return: 403 for a cross-origin state-changing request (lib/auth/origin.ts; proxy.ts refuses
 * them too, this keeps the check in every handler), 401 when signed out, 403 when the permission
 * table does not let their role take `action`.
 */
export async function authenticate(request: Request, action: Action): Promise<Member | Response> {
  const refusal = crossOriginRefusal(request, env().BETTER_AUTH_URL);
  if (refusal) return refusal;
  const member = await resolveMember(request.headers);
  if (!member) return jsonError(401, "unauthorized", "Sign in to continue.");
  if (!can(member.role, action)) return jsonError(403, "forbidden", refusalMessage(member.role, action), { action });
  return member;
}

/**
 * The one way to write an internal route handler: path params validated (400) → signed in (401)
 * → `action` allowed for the member's role (403) → `handler` (which parses its body and calls a
 * service), with ServiceErrors mapped to responses. The action is recorded on the handler
 * (`.access`), where the role-matrix test reads it.
 */
export function withMember<Ctx>(action: Action, handler: (request: Request, member: Member, context: Ctx) => Promise<Response>): RouteHandler<Ctx> {
  return withAccess({ kind: "member", action }, async (request: Request, context: Ctx) =>
    // HSTS here too: routes the proxy does not run for (uploads, see proxy.ts) still get it.
    withTransportSecurity(
      await handle(async () => {
        const parsed = await parseRouteParams(context);
        if (parsed instanceof Response) return parsed;
        const member = await authenticate(request, action);
        if (member instanceof Response) return member;
        return withAuditContext(requestFacts(request), () => handler(request, member, parsed));
      }),
      env().BETTER_AUTH_URL,
    ),
  );
}

/**
 * Reads a JSON body and validates it: 413 over MAX_JSON_BODY_BYTES, 400 `invalid_request` with
 * `issues: [{ path, message }]` when it is not JSON, holds text PostgreSQL cannot store (NUL, lone
 * surrogates) or nests too deep (findJsonInputProblem), or fails the schema.
 */
export async function parseJson<S extends z.ZodType>(
  request: Request,
  schema: S,
  maxBytes: number = MAX_JSON_BODY_BYTES,
): Promise<z.infer<S> | Response> {
  const tooLarge = () => jsonError(413, "payload_too_large", `The request body is larger than ${maxBytes} bytes.`);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge();
  const text = await readLimited(request, maxBytes);
  if (text === null) return tooLarge();
  let json: unknown;
  try {
    json = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    return jsonError(400, "invalid_request", "The request body is not valid JSON.", { issues: [] });
  }
  const unsafe = findJsonInputProblem(json);
  if (unsafe) return jsonError(400, "invalid_request", `The request body is invalid: ${unsafe.message}`, { issues: [unsafe] });
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return jsonError(400, "invalid_request", "The request body is invalid.", {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })),
    });
  }
  return parsed.data;
}

/** The body as text, or null once it passes `maxBytes` (stops reading; Content-Length can lie). */
async function readLimited(request: Request, maxBytes: number): Promise<string | null> {
  const bytes = await readBodyBytes(request, maxBytes);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}
