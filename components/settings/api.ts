import type { CreateProviderInput, ProviderTestResult, ProviderView, UpdateProviderInput } from "@/lib/providers/schema";

/** Browser-side calls to /api/providers; every failure becomes an ApiError with the server's message. */

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly issues: FieldIssue[];
  constructor(status: number, message: string, issues: FieldIssue[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.issues = issues;
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; issues?: FieldIssue[] };
}

export async function request<T>(url: string, init: RequestInit): Promise<T> {
  // A FormData body (a file upload) gets its multipart type and boundary from the browser.
  const headers = init.body instanceof FormData ? init.headers : { "content-type": "application/json", ...init.headers };
  const response = await fetch(url, { ...init, headers });
  if (!response.ok) {
    let body: ErrorBody = {};
    try {
      body = (await response.json()) as ErrorBody;
    } catch {
      // Non-JSON error (proxy, crash): the status is all we have.
    }
    throw new ApiError(response.status, body.error?.message ?? `Request failed (${response.status}).`, body.error?.issues ?? []);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

const path = (id: string) => `/api/providers/${encodeURIComponent(id)}`;

export const createProviderRequest = (input: CreateProviderInput) =>
  request<ProviderView>("/api/providers", { method: "POST", body: JSON.stringify(input) });

export const updateProviderRequest = (id: string, input: UpdateProviderInput) =>
  request<ProviderView>(path(id), { method: "PATCH", body: JSON.stringify(input) });

export const deleteProviderRequest = (id: string) => request<void>(path(id), { method: "DELETE" });

export const testProviderRequest = (id: string, model?: string) =>
  request<ProviderTestResult>(`${path(id)}/test`, { method: "POST", body: JSON.stringify(model ? { model } : {}) });
