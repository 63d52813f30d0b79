import { z } from "zod";
import { GraphSchema, type Graph } from "@/lib/engine/graph";
import type { SaveResult } from "./autosave";

/**
 * The editor's calls to the internal API. Every response is parsed, and every failure becomes
 * a value with a message for the user, so components never deal with raw fetch errors.
 */

export const WorkflowDocSchema = z.object({
  id: z.string(),
  name: z.string(),
  graph: GraphSchema,
  revision: z.number().int(),
  updatedAt: z.union([z.string(), z.date()]).optional(),
});
export type WorkflowDoc = z.infer<typeof WorkflowDocSchema>;

/** A problem as the server reports it (the validator's Problem shape, loosely read). */
export const ProblemSchema = z.object({
  severity: z.enum(["error", "warning"]).catch("error"),
  code: z.string().catch("problem"),
  message: z.string(),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  field: z.string().optional(),
});
export type ServerProblem = z.infer<typeof ProblemSchema>;

const ErrorBodySchema = z.object({
  error: z.union([
    z.string(),
    z.looseObject({
      code: z.string().optional(),
      message: z.string().optional(),
      revision: z.number().optional(),
      problems: z.array(ProblemSchema).optional(),
      issues: z.array(z.object({ path: z.string().optional(), message: z.string() })).optional(),
    }),
  ]),
  message: z.string().optional(),
  revision: z.number().optional(),
  problems: z.array(ProblemSchema).optional(),
  issues: z.array(z.object({ path: z.string().optional(), message: z.string() })).optional(),
});

export interface ApiError {
  status: number;
  code: string;
  message: string;
  revision?: number;
  problems?: ServerProblem[];
}

/** "The request body is invalid." alone tells the user nothing: say what is wrong with it (once). */
function withIssues(message: string | undefined, issueText: string): string {
  if (!message) return issueText;
  return issueText && !message.includes(issueText) ? `${message} ${issueText}` : message;
}

/** Reads both `{ error: "code", … }` and `{ error: { code, message, … } }` bodies. */
export async function readApiError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: fall back to the status text below.
  }
  const parsed = ErrorBodySchema.safeParse(body);
  const fallback = response.status === 401 ? "Your session has ended. Sign in again." : `Request failed (${response.status}).`;
  if (!parsed.success) return { status: response.status, code: "http_" + response.status, message: fallback };
  const top = parsed.data;
  const inner = typeof top.error === "string" ? { code: top.error } : top.error;
  const issues = inner.issues ?? top.issues;
  const issueText = issues?.length ? issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ") : "";
  return {
    status: response.status,
    code: inner.code ?? "http_" + response.status,
    message: withIssues(inner.message ?? top.message, issueText) || fallback,
    revision: inner.revision ?? top.revision,
    problems: inner.problems ?? top.problems,
  };
}

async function send(url: string, init?: RequestInit): Promise<Response | ApiError> {
  try {
    return await fetch(url, { ...init, headers: { "content-type": "application/json", ...init?.headers }, cache: "no-store" });
  } catch {
    return { status: 0, code: "network", message: "Cannot reach the server. Check your connection." };
  }
}

const isApiError = (value: Response | ApiError): value is ApiError => !(value instanceof Response);

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export async function fetchWorkflow(id: string): Promise<Result<WorkflowDoc>> {
  const response = await send(`/api/workflows/${encodeURIComponent(id)}`);
  if (isApiError(response)) return { ok: false, error: response };
  if (!response.ok) return { ok: false, error: await readApiError(response) };
  const parsed = WorkflowDocSchema.safeParse(await response.json());
  if (!parsed.success) return { ok: false, error: { status: 200, code: "bad_response", message: "The workflow could not be read." } };
  return { ok: true, value: parsed.data };
}

export function saveGraph(id: string, graph: Graph, revision: number): Promise<SaveResult> {
  return sendGraphSave(id, "PUT", { graph, revision });
}

/** PUT of the whole graph or PATCH of a change (lib/editor/save-graph.ts), read as a SaveResult. */
export async function sendGraphSave(id: string, method: "PUT" | "PATCH", body: unknown): Promise<SaveResult> {
  const response = await send(`/api/workflows/${encodeURIComponent(id)}/graph`, { method, body: JSON.stringify(body) });
  if (isApiError(response)) return { ok: false, kind: "error", message: response.message };
  if (response.ok) {
    const parsed = z.object({ revision: z.number().int() }).safeParse(await response.json());
    return parsed.success ? { ok: true, revision: parsed.data.revision } : { ok: false, kind: "error", message: "The server's answer could not be read." };
  }
  const error = await readApiError(response);
  if (response.status === 409) {
    return {
      ok: false,
      kind: "conflict",
      revision: error.revision,
      message: "Someone else saved this workflow since you opened it. Reload to get their version; your unsaved edits here will be lost.",
    };
  }
  // 403 too: a secret above the saver's role (lib/secrets/policy.ts) stays refused until the graph changes.
  if (response.status === 400 || response.status === 403 || response.status === 413) return { ok: false, kind: "invalid", message: error.message };
  return { ok: false, kind: "error", message: error.message };
}

export async function renameWorkflow(id: string, name: string): Promise<Result<null>> {
  const response = await send(`/api/workflows/${encodeURIComponent(id)}`, { method: "PATCH", body: JSON.stringify({ name }) });
  if (isApiError(response)) return { ok: false, error: response };
  if (!response.ok) return { ok: false, error: await readApiError(response) };
  return { ok: true, value: null };
}

export const ProviderSchema = z.object({ id: z.string(), name: z.string(), models: z.array(z.string()) });
export type ProviderOption = z.infer<typeof ProviderSchema>;

export async function fetchProviders(): Promise<Result<ProviderOption[]>> {
  const response = await send("/api/providers");
  if (isApiError(response)) return { ok: false, error: response };
  if (!response.ok) return { ok: false, error: await readApiError(response) };
  const json: unknown = await response.json();
  // Accept a bare array or `{ providers: [...] }`.
  const list = Array.isArray(json) ? json : (json as { providers?: unknown } | null)?.providers;
  const parsed = z.array(ProviderSchema).safeParse(list);
  if (!parsed.success) return { ok: false, error: { status: 200, code: "bad_response", message: "The provider list could not be read." } };
  return { ok: true, value: parsed.data };
}

export async function startRun(workflowId: string, inputs: Record<string, unknown>): Promise<Result<{ runId: string }>> {
  const response = await send(`/api/workflows/${encodeURIComponent(workflowId)}/runs`, {
    method: "POST",
    body: JSON.stringify({ inputs }),
  });
  if (isApiError(response)) return { ok: false, error: response };
  if (!response.ok) return { ok: false, error: await readApiError(response) };
  const parsed = z.object({ runId: z.string() }).safeParse(await response.json());
  if (!parsed.success) return { ok: false, error: { status: response.status, code: "bad_response", message: "The run was started but its id could not be read." } };
  return { ok: true, value: parsed.data };
}

export const runEventsUrl = (runId: string) => `/api/runs/${encodeURIComponent(runId)}/events`;
