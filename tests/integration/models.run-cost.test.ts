import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { recordRunCost } from "@/lib/runs/run-cost";
import { createTestMember } from "./helpers/members";

/** Run cost: the steps' detail.cost copied to run_steps.cost and summed per currency into runs.cost. */

const graph = { version: 1, nodes: [], edges: [] };

async function runWithSteps(steps: { nodeId: string; detail?: unknown; cost?: unknown; reused?: boolean }[]) {
  const member = await createTestMember("owner");
  const workflow = await db().workflow.create({ data: { workspaceId: member.workspaceId, name: "Cost", graph } });
  const run = await db().run.create({ data: { workspaceId: member.workspaceId, workflowId: workflow.id, workflowName: "Cost", graph, inputs: {}, status: "succeeded" } });
  const source = steps.some((s) => s.reused)
    ? await db().runStep.create({ data: { runId: run.id, nodeId: "source", nodeType: "llm", iteration: 0, status: "succeeded" } })
    : undefined;
  for (const step of steps) {
    await db().runStep.create({
      data: {
        runId: run.id,
        nodeId: step.nodeId,
        nodeType: "llm",
        iteration: 0,
        status: "succeeded",
        ...(step.detail !== undefined ? { detail: step.detail as object } : {}),
        ...(step.cost !== undefined ? { cost: step.cost as object } : {}),
        ...(step.reused ? { reusedFromStepId: source?.id } : {}),
      },
    });
  }
  return run.id;
}

describe("recordRunCost", () => {
  it("sums the steps' costs per currency, taking detail.cost where the column is empty", async () => {
    const runId = await runWithSteps([
      { nodeId: "a", detail: { model: "m", cost: { USD: 0.0045 } } },
      { nodeId: "b", detail: { cost: { USD: 0.0005, CNY: 0.12 } } },
      { nodeId: "c", cost: { CNY: 0.03 } },
      { nodeId: "d", detail: { model: "no price" } },
      // Paid for by the run it was copied from.
      { nodeId: "e", detail: { cost: { USD: 5 } }, reused: true },
    ]);
    await recordRunCost(db(), runId);
    await recordRunCost(db(), runId);
    const run = await db().run.findUniqueOrThrow({ where: { id: runId }, include: { steps: true } });
    expect(run.cost).toEqual({ USD: 0.005, CNY: 0.15 });
    const byNode = Object.fromEntries(run.steps.map((s) => [s.nodeId, s.cost]));
    expect(byNode).toMatchObject({ a: { USD: 0.0045 }, b: { USD: 0.0005, CNY: 0.12 }, c: { CNY: 0.03 }, d: null });
  });

  it("leaves the cost empty when no step has a price", async () => {
    const runId = await runWithSteps([{ nodeId: "a", detail: { model: "local" } }]);
    await recordRunCost(db(), runId);
    expect((await db().run.findUniqueOrThrow({ where: { id: runId } })).cost).toBeNull();
  });
});
