/** Browser-side calls to /api/workflows; every failure becomes an Error with the server's message. */

interface ApiErrorBody {
  error?: { code?: string; message?: string; issues?: { path: string; message: string }[] } | string;
  message?: string;
}

async function request<T>(url: string, init: RequestInit): Promise<T> {
  const response = await fetch(url, {
    ...init,
    headers: { "content-type": "application/json", ...init.headers },
  });
  if (!response.ok) throw new Error(await errorMessage(response));
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as ApiErrorBody;
    const error = body.error;
    if (typeof error === "object" && error) {
      const issue = error.issues?.[0];
      return issue ? issue.message : (error.message ?? `Request failed (${response.status}).`);
    }
    return body.message ?? `Request failed (${response.status}).`;
  } catch {
    return `Request failed (${response.status}).`;
  }
}

export function createWorkflowRequest(input: { name: string; description?: string }) {
  return request<{ id: string }>("/api/workflows", { method: "POST", body: JSON.stringify(input) });
}

export function renameWorkflowRequest(id: string, input: { name: string; description?: string }) {
  return request<unknown>(`/api/workflows/${encodeURIComponent(id)}`, { method: "PATCH", body: JSON.stringify(input) });
}

export function duplicateWorkflowRequest(id: string) {
  return request<{ id: string }>(`/api/workflows/${encodeURIComponent(id)}/duplicate`, { method: "POST" });
}

export function deleteWorkflowRequest(id: string) {
  return request<unknown>(`/api/workflows/${encodeURIComponent(id)}`, { method: "DELETE" });
}
