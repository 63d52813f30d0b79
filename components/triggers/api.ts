/** Fetch helpers of the Triggers dialog: JSON in, `{ error: { message } }` out as a thrown Error. */
export async function triggerRequest<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? "GET",
    headers: init.body === undefined ? undefined : { "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => ({}))) as T & { error?: { message?: string; issues?: { message: string }[]; problems?: { message: string }[] } };
  if (!response.ok) {
    const detail = body.error?.issues?.[0]?.message ?? body.error?.problems?.map((p) => p.message).join(" ");
    throw new Error([body.error?.message ?? `Request failed (${response.status}).`, detail].filter(Boolean).join(" "));
  }
  return body;
}

export const workflowPath = (workflowId: string, rest: string) => `/api/workflows/${encodeURIComponent(workflowId)}/${rest}`;
