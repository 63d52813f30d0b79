import { describe, expect, it } from "vitest";
import type { Graph } from "@/lib/engine/graph";
import type { NodeResult, NodeWait } from "@/lib/engine/node-kit";
import type { SubworkflowPort, SubworkflowStart } from "@/lib/engine/ports";
import { validateGraph } from "@/lib/engine/validate";
import { subworkflowNode } from "@/lib/nodes/subworkflow/definition";
import { executeSubworkflow } from "@/lib/nodes/subworkflow/execute";
import { nodeRegistry } from "@/lib/nodes/registry";
import { nodeContext } from "./context";

const config = subworkflowNode.configSchema.parse({ workflowId: "wf_child", inputs: [{ name: "n", value: "{{ start.n }}" }, { name: "o", value: "{{ start.o }}" }] });

function port(status: "queued" | "succeeded" | "failed") {
  const calls: SubworkflowStart[] = [];
  const subworkflows: SubworkflowPort = {
    start: async (request) => {
      calls.push(request);
      return {
        childRunId: "child_1",
        workflowName: "Child",
        version: 3,
        status,
        ...(status === "succeeded" ? { output: { answer: 42 } } : {}),
        ...(status === "failed" ? { error: { code: "http_error", message: "boom" } } : {}),
      };
    },
  };
  return { calls, subworkflows };
}

const scope = { start: { n: 7, o: { k: "v" } } };

describe("Sub-workflow executor", () => {
  it("starts the child with typed inputs and waits for it", async () => {
    const { calls, subworkflows } = port("queued");
    const result = (await executeSubworkflow({ ...nodeContext(config, scope, { subworkflows }), iteration: 2 })) as NodeWait;
    expect(calls).toEqual([{ workflowId: "wf_child", inputs: { n: 7, o: { k: "v" } }, parentRunId: "run_1", parentNodeId: "node_1", parentIteration: 2 }]);
    expect(result.wait).toMatchObject({ kind: "subworkflow", childRunId: "child_1", request: { childRunId: "child_1", workflowName: "Child", version: 3 } });
  });

  it("passes a pinned version", async () => {
    const { calls, subworkflows } = port("queued");
    await executeSubworkflow(nodeContext({ ...config, version: 2 }, scope, { subworkflows }));
    expect(calls[0]!.version).toBe(2);
  });

  it("a child that already ended needs no wait", async () => {
    const { subworkflows } = port("succeeded");
    const result = (await executeSubworkflow(nodeContext(config, scope, { subworkflows }))) as NodeResult;
    expect(result.output).toEqual({ output: { answer: 42 }, runId: "child_1" });
  });

  it("resumes with the child's outcome: output on success, subworkflow_error with the child's message on failure", async () => {
    const at = new Date().toISOString();
    const ok = (await executeSubworkflow({
      ...nodeContext(config, scope),
      resume: { status: "answered", response: { childRunId: "c", status: "succeeded", output: { x: 1 } }, at },
    })) as NodeResult;
    expect(ok.output).toEqual({ output: { x: 1 }, runId: "c" });
    await expect(
      executeSubworkflow({
        ...nodeContext(config, scope),
        resume: { status: "answered", response: { childRunId: "c", status: "failed", error: { code: "timeout", message: "too slow" } }, at },
      }),
    ).rejects.toMatchObject({ code: "subworkflow_error", message: "The sub-workflow run c failed: too slow" });
    await expect(
      executeSubworkflow({ ...nodeContext(config, scope), resume: { status: "cancelled", response: null, at } }),
    ).rejects.toMatchObject({ code: "subworkflow_error" });
  });

  it("fails clearly without the port", async () => {
    await expect(executeSubworkflow(nodeContext(config, scope))).rejects.toMatchObject({ code: "internal" });
  });
});

describe("Sub-workflow validation", () => {
  const graph = (workflowId: string): Graph => ({
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
      { id: "sub", type: "subworkflow", position: { x: 1, y: 0 }, data: { workflowId, inputs: [] } },
      { id: "end", type: "end", position: { x: 2, y: 0 }, data: { outputs: [{ name: "r", value: "{{ sub.output.answer }}" }] } },
    ],
    edges: [
      { id: "a", source: "start", target: "sub" },
      { id: "b", source: "sub", target: "end" },
    ],
  });

  it("refuses a workflow that runs itself directly", () => {
    const problems = validateGraph(graph("wf_self"), nodeRegistry, { workflowId: "wf_self" });
    expect(problems.find((p) => p.code === "self_subworkflow")?.nodeId).toBe("sub");
    expect(validateGraph(graph("wf_other"), nodeRegistry, { workflowId: "wf_self" }).filter((p) => p.severity === "error")).toEqual([]);
  });

  it("requires a workflow to be chosen", () => {
    expect(validateGraph(graph(""), nodeRegistry).some((p) => p.code === "invalid_config" && p.nodeId === "sub")).toBe(true);
  });
});
