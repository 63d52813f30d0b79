import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { formatCost } from "@/lib/models/cost";
import { getRunDetail, listRuns } from "@/lib/runs/queries";
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
  return { runId: run.id, member };
}

describe("recordRunCost", () => {
  it("sums the steps' costs per currency, taking detail.cost where the column is empty", async () => {
    const { runId, member } = await runWithSteps([
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

    // The run pages read it back.
    const detail = await getRunDetail(member, runId);
    expect(detail?.cost).toEqual({ USD: 0.005, CNY: 0.15 });
    expect(detail?.steps.find((s) => s.nodeId === "a")?.cost).toEqual({ USD: 0.0045 });
    expect(detail?.steps.find((s) => s.nodeId === "d")?.cost).toBeNull();
    const { runs } = await listRuns(member, {});
    expect(runs.find((r) => r.id === runId)?.cost).toEqual({ USD: 0.005, CNY: 0.15 });
    expect(formatCost(detail?.cost)).toBe("0.15 CNY + 0.0050 USD");
    expect(formatCost({ USD: 0.0045 })).toBe("$0.0045");
    expect(formatCost({ CNY: 1.2 })).toBe("¥1.20");
  });

  it("leaves the cost empty when no step has a price", async () => {
    const { runId } = await runWithSteps([{ nodeId: "a", detail: { model: "local" } }]);
    await recordRunCost(db(), runId);
    expect((await db().run.findUniqueOrThrow({ where: { id: runId } })).cost).toBeNull();
  });
});
