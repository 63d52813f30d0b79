import type { z } from "zod";
import { ServiceError, httpStatusOf } from "@/lib/services/errors";
import { databaseInputProblem } from "@/lib/db/input-errors";
import { logger } from "@/lib/log";

/** `{ error: { code, message, ...extra } }`, the one error shape of the public API. */
export function apiError(status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { code, message, ...extra } }, { status, headers });
}

/** Zod issues as `[{ path: "a.b", message }]`. */
export const issuesOf = (error: z.ZodError) => error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));

/** An API-only error with its own status and code (for codes the shared ServiceError union does not have). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiProblem";
  }
}

/** Runs a v1 handler, mapping ServiceErrors to their status and anything else to a stable 500. */
export async function apiHandle(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiProblem) return apiError(error.status, error.code, error.message, error.extra);
    if (error instanceof ServiceError) return apiError(httpStatusOf(error.code), error.code, error.message, error.details ?? {});
    const badInput = databaseInputProblem(error);
    if (badInput) return apiError(400, "invalid_request", badInput);
    logger.error({ err: error }, "unhandled error in public API route");
    return apiError(500, "internal", "Something went wrong on our side.");
  }
}
