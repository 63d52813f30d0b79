import { z } from "zod";
import { GraphSchema, type Graph } from "@/lib/engine/graph";
import type { GraphDiff } from "@/lib/workflows/diff";
import { readApiError, type Result } from "./api";

/** The editor's calls for node tests, pins and versions; failures become messages, as in api.ts. */

async function call<T>(url: string, schema: z.ZodType<T>, init?: { method: string; body: unknown }): Promise<Result<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      cache: "no-store",
      ...(init ? { method: init.method, headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) } : {}),
    });
  } catch {
    return { ok: false, error: { status: 0, code: "network", message: "Cannot reach the server. Check your connection." } };
  }
  if (!response.ok) return { ok: false, error: await readApiError(response) };
  const parsed = schema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) return { ok: false, error: { status: response.status, code: "bad_response", message: "The server's answer could not be read." } };
  return { ok: true, value: parsed.data };
}

const base = (workflowId: string) => `/api/workflows/${encodeURIComponent(workflowId)}`;
const Output = z.record(z.string(), z.unknown());

export const UpstreamSchema = z.object({
  runId: z.string().nullable(),
  upstream: z.array(z.object({ id: z.string(), type: z.string(), title: z.string(), value: Output })),
});
export type Upstream = z.infer<typeof UpstreamSchema>;

export const fetchUpstream = (workflowId: string, nodeId: string) => call(`${base(workflowId)}/nodes/${encodeURIComponent(nodeId)}/test`, UpstreamSchema);

export const startNodeTest = (workflowId: string, nodeId: string, upstream: Record<string, Record<string, unknown>>, sourceRunId: string | null) =>
  call(`${base(workflowId)}/nodes/${encodeURIComponent(nodeId)}/test`, z.object({ runId: z.string() }), {
    method: "POST",
    body: { upstream, ...(sourceRunId ? { sourceRunId } : {}) },
  });

const StepSchema = z.object({
  nodeId: z.string(),
  status: z.string(),
  output: Output.nullish(),
  error: z.object({ code: z.string(), message: z.string() }).nullish(),
  branch: z.string().nullish(),
});
export const RunViewSchema = z.object({
  run: z.object({ id: z.string(), status: z.string(), output: Output.nullish(), error: z.object({ code: z.string(), message: z.string() }).nullish() }),
  steps: z.array(StepSchema),
});
export type RunView = z.infer<typeof RunViewSchema>;

export const fetchRun = (runId: string) => call(`/api/runs/${encodeURIComponent(runId)}`, RunViewSchema);

export const VersionItemSchema = z.object({
  version: z.number(),
  note: z.string().nullable(),
  createdAt: z.string(),
  author: z.object({ id: z.string(), name: z.string() }).nullable(),
});
export type VersionItem = z.infer<typeof VersionItemSchema>;

export const fetchVersions = (workflowId: string) => call(`${base(workflowId)}/versions`, z.object({ versions: z.array(VersionItemSchema) }));

export const fetchVersionGraph = (workflowId: string, version: number): Promise<Result<{ graph: Graph }>> =>
  call(`${base(workflowId)}/versions/${version}`, z.object({ graph: GraphSchema }));

export const fetchDiff = (workflowId: string, from: number | "draft", to: number | "draft") =>
  call(`${base(workflowId)}/diff?from=${from}&to=${to}`, z.object({ diff: z.custom<GraphDiff>((v) => typeof v === "object" && v !== null && "changed" in v) }));

export const publishWithNote = (workflowId: string, note: string) =>
  call(`${base(workflowId)}/publish`, z.object({ version: z.number() }), { method: "POST", body: note.trim() ? { note: note.trim() } : {} });
