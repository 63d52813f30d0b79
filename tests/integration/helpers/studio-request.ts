/** Requests to the studio routes (cookie sessions) called in-process, and their route context. */

const BASE = "http://localhost:3000";

/** A request with the session cookie: JSON for objects, raw for bytes or text (streamed, like an upload). */
export function call(method: string, url: string, cookie: string, body?: unknown, headers: Record<string, string> = {}): Request {
  const raw = body instanceof Uint8Array || typeof body === "string";
  return new Request(`${BASE}${url}`, {
    method,
    headers: { cookie, ...(body !== undefined && !raw ? { "content-type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : raw ? (body as BodyInit) : JSON.stringify(body),
    ...(raw ? { duplex: "half" } : {}),
  } as RequestInit);
}

/** The `{ params }` a dynamic route handler receives. */
export const ctx = <P extends Record<string, string>>(params: P) => ({ params: Promise.resolve(params) });
