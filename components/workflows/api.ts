import type { ImportedWorkflow } from "@/lib/api/schemas";

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

export function renameWorkflowRequest(id: string, input: { name: string; description?: string; slug?: string; exposeAsTool?: boolean }) {
  return request<unknown>(`/api/workflows/${encodeURIComponent(id)}`, { method: "PATCH", body: JSON.stringify(input) });
}

export function duplicateWorkflowRequest(id: string) {
  return request<{ id: string }>(`/api/workflows/${encodeURIComponent(id)}/duplicate`, { method: "POST" });
}

export function deleteWorkflowRequest(id: string) {
  return request<unknown>(`/api/workflows/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/** A refused import: the server's message plus, for an invalid graph, each problem with its node. */
export class ImportRefused extends Error {
  constructor(
    message: string,
    readonly problems: { nodeId?: string; message: string }[],
  ) {
    super(message);
  }
}

export async function importWorkflowRequest(file: unknown, name?: string): Promise<ImportedWorkflow> {
  const response = await fetch("/api/workflows/import", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ file, ...(name ? { name } : {}) }),
  });
  if (response.ok) return (await response.json()) as ImportedWorkflow;
  const body = (await response.json().catch(() => ({}))) as {
    error?: { message?: string; problems?: { nodeId?: string; message: string }[]; issues?: { path: string; message: string }[] };
  };
  const problems = body.error?.problems ?? body.error?.issues?.map((issue) => ({ message: issue.path ? `${issue.path}: ${issue.message}` : issue.message })) ?? [];
  throw new ImportRefused(body.error?.message ?? `Import failed (${response.status}).`, problems);
}
