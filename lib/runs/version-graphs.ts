import { GraphSchema, type Graph } from "@/lib/engine/graph";
import { hasErrors, validateGraph } from "@/lib/engine/validate";
import { nodeRegistry } from "@/lib/nodes/registry";

/**
 * The worker's memory of published versions' graphs. A version row never changes, and every run
 * of a version carries that version's graph (each creator copies it: the API, sub-workflows,
 * workflow tools, resume and re-run with the frozen graph), so parsing and validating it once per process is enough: every
 * later run of the same version skips both (≈ 0.6 ms of the worker's ≈ 4 ms per model-free run).
 * Draft runs (no version) are parsed and validated every time. Bounded; the oldest entry leaves first.
 */
const MAX_VERSIONS = 500;
const checked = new Map<string, Graph>();

export type ReadGraph = { ok: true; graph: Graph; checked: boolean } | { ok: false };

export function readRunGraph(raw: unknown, versionId: string | null): ReadGraph {
  const known = versionId ? checked.get(versionId) : undefined;
  if (known) return { ok: true, graph: known, checked: true };
  const parsed = GraphSchema.safeParse(raw);
  if (!parsed.success) return { ok: false };
  // An invalid graph is left to the engine, which reports its problems on the run.
  if (!versionId || hasErrors(validateGraph(parsed.data, nodeRegistry))) return { ok: true, graph: parsed.data, checked: false };
  if (checked.size >= MAX_VERSIONS) checked.delete(checked.keys().next().value!);
  checked.set(versionId, parsed.data);
  return { ok: true, graph: parsed.data, checked: true };
}

/** Parsed graphs of published versions (immutable rows) for the processes that start runs, so repeated starts skip the parse. Bounded. */
const parsedVersions = new Map<string, Graph>();
const MAX_PARSED = 200;

/** A published version's graph if this process has parsed it already. */
export const knownPublishedGraph = (versionId: string): Graph | undefined => parsedVersions.get(versionId);

export function publishedGraph(versionId: string, raw: unknown): Graph {
  const cached = parsedVersions.get(versionId);
  if (cached) return cached;
  const graph = GraphSchema.parse(raw);
  if (parsedVersions.size >= MAX_PARSED) parsedVersions.delete(parsedVersions.keys().next().value!);
  parsedVersions.set(versionId, graph);
  return graph;
}
