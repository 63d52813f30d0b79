import { edgeHandle, type Graph, type GraphNode } from "./graph";
import type { NodeRegistry, Problem } from "./validate-pass";
import { ERROR_HANDLE } from "./policy";

/**
 * Testing one node: the graph a node test runs is the tested node (with its loop body, for a Loop)
 * and every node upstream of it, each upstream node pinned with the value the person gave (or `{}`).
 * The engine runs it with `nodeTest` and `usePins`: the upstream steps are recorded as pinned, the
 * tested node executes for real in the worker (sandbox, secrets, limits), and nothing downstream runs.
 */

export class NodeTestRefused extends Error {}

/** Top-level nodes upstream of `nodeId`, nearest first. */
export function upstreamNodeIds(graph: Graph, nodeId: string): string[] {
  const into = new Map<string, string[]>();
  for (const e of graph.edges) into.set(e.target, [...(into.get(e.target) ?? []), e.source]);
  const seen = new Set<string>();
  const queue = [...(into.get(nodeId) ?? [])];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id) || id === nodeId) continue;
    seen.add(id);
    queue.push(...(into.get(id) ?? []));
  }
  return [...seen];
}

/** The graph of a test of `nodeId` with the upstream values given by node id. Throws NodeTestRefused with a reason. */
export function nodeTestGraph(graph: Graph, nodeId: string, upstream: Readonly<Record<string, Record<string, unknown>>>, registry: NodeRegistry): Graph {
  const target = graph.nodes.find((n) => n.id === nodeId);
  if (!target) throw new NodeTestRefused(`There is no node "${nodeId}" in this workflow.`);
  const def = registry[target.type];
  if (!def || def.executable === false) throw new NodeTestRefused(`"${nodeId}" is not a node that runs.`);
  if (def.role === "start") throw new NodeTestRefused("The Start node only passes the inputs on; test the node after it.");
  if (target.parentId) throw new NodeTestRefused(`"${nodeId}" is inside a loop; test the loop instead.`);
  if (target.disabled) throw new NodeTestRefused(`"${nodeId}" is disabled; enable it to test it.`);
  const above = new Set(upstreamNodeIds(graph, nodeId));
  const body = new Set(graph.nodes.filter((n) => n.parentId === nodeId).map((n) => n.id));
  const kept = new Set([...above, ...body, nodeId]);
  const edges = graph.edges.filter((e) => kept.has(e.source) && kept.has(e.target));
  const nodes = graph.nodes
    .filter((n) => kept.has(n.id))
    .map((n): GraphNode => {
      const { pin: _pin, disabled: _disabled, ...rest } = n;
      if (!above.has(n.id)) return rest;
      // A node reached only through error edges must take the error branch for the tested node to run.
      const out = edges.filter((e) => e.source === n.id);
      const onlyError = out.length > 0 && out.every((e) => edgeHandle(e) === ERROR_HANDLE);
      return { ...rest, pin: { output: upstream[n.id] ?? {}, ...(onlyError ? { branch: ERROR_HANDLE } : {}) } };
    });
  return { ...graph, nodes, edges };
}

/** The validation errors that refuse a run (for a node test: the tested node's own, and graph-wide ones but the missing End). */
export function blockingProblems(problems: readonly Problem[], nodeTest: { nodeId: string } | undefined): Problem[] {
  return problems.filter((p) => p.severity === "error" && (!nodeTest || (p.nodeId ? p.nodeId === nodeTest.nodeId : p.code !== "missing_end")));
}
