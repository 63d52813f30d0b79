import { randomUUID } from "node:crypto";
import { auth } from "@/lib/auth/auth";
import { db } from "@/lib/db/client";

export const BASE_URL = "http://localhost:3000";

/** POSTs JSON to better-auth's real handler, as the browser client does. */
function postAuth(path: string, body: unknown): Promise<Response> {
  return auth().handler(
    new Request(`${BASE_URL}/api/auth${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: BASE_URL },
      body: JSON.stringify(body),
    }),
  );
}

/**
 * Signs a new user up, then in (sign-up never signs in: lib/auth/auth.ts, against account
 * enumeration), through better-auth's real handler; returns the session cookie and workspace.
 */
export async function signUpUser(name: string): Promise<{ cookie: string; userId: string; workspaceId: string }> {
  const email = `${name.toLowerCase().replace(/\W+/g, "-")}-${randomUUID().slice(0, 8)}@example.test`;
  const signUp = await postAuth("/sign-up/email", { email, password: "correct-horse-1", name });
  if (signUp.status !== 200) throw new Error(`sign-up failed: ${signUp.status} ${await signUp.text()}`);
  const response = await postAuth("/sign-in/email", { email, password: "correct-horse-1" });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  const user = await db().user.findUniqueOrThrow({ where: { email }, include: { memberships: true } });
  return { cookie, userId: user.id, workspaceId: user.memberships[0]!.workspaceId };
}

/** A Request to a route handler, as the browser would send it. */
export function routeRequest(method: string, path: string, cookie: string | null, body?: unknown): Request {
  return new Request(`${BASE_URL}${path}`, {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

export const routeParams = (id: string) => ({ params: Promise.resolve({ id }) });

/** Reads a Server-Sent Events response until `until` says stop (or the stream ends). */
export async function readEvents(response: Response, until: (event: { event: string; data: unknown }) => boolean, timeoutMs = 20_000) {
  const events: { event: string; data: unknown }[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let boundary: number;
    while ((boundary = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!event || data === undefined) continue;
      const parsed = { event, data: JSON.parse(data) as unknown };
      events.push(parsed);
      if (until(parsed)) {
        await reader.cancel();
        return events;
      }
    }
  }
  await reader.cancel().catch(() => undefined);
  return events;
}
