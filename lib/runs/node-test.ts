import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { NodeIdSchema, type Graph } from "@/lib/engine/graph";
import { validateRunInputs } from "@/lib/engine/inputs";
import { blockingProblems, nodeTestGraph, NodeTestRefused, upstreamNodeIds } from "@/lib/engine/node-test";
import { validateGraph } from "@/lib/engine/validate";
import { Prisma } from "@/lib/generated/prisma/client";
import { assertWithinBudget } from "@/lib/limits/budgets";
import { nodeRegistry } from "@/lib/nodes/registry";
import { modelAliasNames } from "@/lib/providers/aliases";
import { enqueueRun } from "@/lib/queue/runs-queue";
import { ServiceError } from "@/lib/services/errors";
import { getWorkflow } from "@/lib/workflows/service";
import { auditRun } from "./audit";
import { NODE_TEST_KIND } from "./node-test-kind";

/**
 * Test one node from the editor: a real run (trigger `editor`, `sourceKind` "node_test",
 * `sourceNodeId` the node) of the node with its upstream nodes pinned to the values given, so the
 * worker executes it with the workspace's sandbox, secrets and limits, and the run history shows it.
 */

const OutputSchema = z.record(z.string(), z.unknown());

export const NodeTestSchema = z.object({
  /** The output each upstream node is taken to have produced, by node id; missing ones are `{}`. */
  upstream: z.record(NodeIdSchema, OutputSchema).default({}),
  /** The run the values were taken from (linked as the test's source), if any. */
  sourceRunId: z.uuid().optional(),
});

export interface UpstreamValues {
  nodeId: string;
  /** The run the values come from: the latest run of the workflow that recorded any of them. */
  runId: string | null;
  upstream: { id: string; type: string; title: string; value: Record<string, unknown> }[];
}

const titleOf = (node: { id: string; data: Record<string, unknown> }) =>
  typeof node.data.title === "string" && node.data.title.trim() ? node.data.title.trim() : node.id;

/** The tested node's upstream nodes with their outputs from the latest run of the workflow that has them (else `{}`). */
export async function upstreamValues(member: Member, workflowId: string, nodeId: string): Promise<UpstreamValues> {
  requirePermission(member, "run.read");
  const { graph } = await getWorkflow(member, workflowId);
  const ids = upstreamNodeIds(graph, nodeId);
  const run = ids.length
    ? await db().run.findFirst({
        where: { workflowId, workspaceId: member.workspaceId, steps: { some: { nodeId: { in: ids }, iteration: 0, status: "succeeded" } } },
        orderBy: { createdAt: "desc" },
        select: { id: true, steps: { where: { nodeId: { in: ids }, iteration: 0, status: "succeeded" }, select: { nodeId: true, output: true } } },
      })
    : null;
  const outputs = new Map((run?.steps ?? []).map((s) => [s.nodeId, OutputSchema.safeParse(s.output).data ?? {}] as const));
  const nodes = new Map(graph.nodes.map((n) => [n.id, n] as const));
  const upstream = ids
    .map((id) => nodes.get(id)!)
    .filter((n) => nodeRegistry[n.type]?.executable !== false)
    .map((n) => ({ id: n.id, type: n.type, title: titleOf(n), value: outputs.get(n.id) ?? n.pin?.output ?? {} }));
  return { nodeId, runId: run?.id ?? null, upstream };
}

/** The node test's graph, or a 400 saying why the node cannot be tested alone. */
function testGraph(graph: Graph, nodeId: string, upstream: Record<string, Record<string, unknown>>): Graph {
  try {
    return nodeTestGraph(graph, nodeId, upstream, nodeRegistry);
  } catch (error) {
    if (error instanceof NodeTestRefused) throw new ServiceError("invalid_request", error.message);
    throw error;
  }
}

/** Starts a node test → { runId }; 400 `invalid_request` when the node cannot be tested, `invalid_graph` with its problems. */
export async function startNodeTest(member: Member, workflowId: string, nodeId: string, input: z.input<typeof NodeTestSchema>): Promise<{ runId: string }> {
  requirePermission(member, "run.start");
  const body = NodeTestSchema.parse(input);
  const workflow = await getWorkflow(member, workflowId);
  const graph = testGraph(workflow.graph, nodeId, body.upstream);
  const problems = blockingProblems(validateGraph(graph, nodeRegistry, { modelAliases: await modelAliasNames(member.workspaceId), workflowId }), { nodeId });
  if (problems.length > 0) throw new ServiceError("invalid_graph", "The node has problems to fix before it can be tested.", { problems });
  const start = graph.nodes.find((n) => nodeRegistry[n.type]?.role === "start");
  const checked = validateRunInputs(graph, nodeRegistry, (start && body.upstream[start.id]) ?? {});
  if (!checked.ok) throw new ServiceError("invalid_input", "The Start node's value does not fit the workflow's inputs.", { problems: checked.problems });
  await assertWithinBudget(member.workspaceId, workflowId);
  // Only a run of this workflow may be named as the source of the values.
  const source = body.sourceRunId
    ? await db().run.findFirst({ where: { id: body.sourceRunId, workflowId, workspaceId: member.workspaceId }, select: { id: true } })
    : null;
  const row = await db().run.create({
    data: {
      workspaceId: member.workspaceId,
      workflowId,
      workflowName: workflow.name,
      workflowVersionId: null,
      graph: graph as Prisma.InputJsonValue,
      inputs: checked.inputs as Prisma.InputJsonValue,
      createdById: member.userId || null,
      trigger: "editor",
      sourceRunId: source?.id ?? null,
      sourceKind: NODE_TEST_KIND,
      sourceNodeId: nodeId,
    },
    select: { id: true },
  });
  await enqueueRun(row.id);
  await auditRun(member, "run.started", { id: row.id, workflowName: workflow.name }, { workflowId, nodeTest: nodeId });
  return { runId: row.id };
}
