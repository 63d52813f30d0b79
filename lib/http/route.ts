import { NextResponse } from "next/server";
import type { z } from "zod";
import { getMember } from "@/lib/auth/session";
import { hasRole, type Member, type Role } from "@/lib/auth/member";
import { serviceErrorResponse } from "@/lib/services/respond";

/** Largest JSON body any internal route accepts; graphs are the biggest bodies. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export function errorResponse(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
  return NextResponse.json({ error: { code, message, ...extra } }, { status });
}

/** Resolves the signed-in member or the 401/403 response to return. */
export async function authenticate(minimumRole: Role = "viewer"): Promise<Member | NextResponse> {
  const member = await getMember();
  if (!member) return errorResponse(401, "unauthorized", "Sign in first.");
  if (!hasRole(member.role, minimumRole)) return errorResponse(403, "forbidden", `This needs the ${minimumRole} role or higher.`);
  return member;
}

/** Reads and validates a JSON body: 413 when too large, 400 with zod issues when malformed. */
export async function parseBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S> | NextResponse> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return errorResponse(413, "payload_too_large", `The body is larger than ${MAX_BODY_BYTES} bytes.`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return errorResponse(413, "payload_too_large", `The body is larger than ${MAX_BODY_BYTES} bytes.`);
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    return errorResponse(400, "invalid_request", "The body is not valid JSON.");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return errorResponse(400, "invalid_request", "The request body is invalid.", {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    });
  }
  return parsed.data;
}

/** Runs a handler body, turning ServiceErrors into their HTTP responses. */
export async function handle(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    return serviceErrorResponse(error);
  }
}
