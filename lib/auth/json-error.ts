/**
 * The JSON error every internal route returns: `{ error: { code, message, ...extra } }`
 * (the same shape as lib/http/route.ts and lib/services/respond.ts). Free of other imports so
 * proxy.ts can use it without pulling in the database.
 */
export function jsonError(status: number, code: string, message: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ error: { code, message, ...extra } }, { status });
}
