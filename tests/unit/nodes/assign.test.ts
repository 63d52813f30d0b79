import { describe, expect, it } from "vitest";
import type { Graph } from "@/lib/engine/graph";
import type { NodeExecutor } from "@/lib/engine/node-kit";
import { executeRun } from "@/lib/engine/run-engine";
import { validateGraph, upstreamFields } from "@/lib/engine/validate";
import { initialVariables, type WorkflowVariable } from "@/lib/engine/variables";
import { assignNode, type AssignConfig } from "@/lib/nodes/assign/definition";
import { executeAssign } from "@/lib/nodes/assign/execute";
import { nodeRegistry } from "@/lib/nodes/registry";
import { MemoryEvents, MemoryStepStore, edge, end, fakeServices, graph, node, start, template, testExecutors } from "../engine/fixtures";
import { nodeContext } from "./context";

const VARIABLES: WorkflowVariable[] = [
  { name: "count", type: "number", default: 1 },
  { name: "items", type: "array" },
  { name: "note", type: "string", default: "n:" },
];

const assign = (id: string, assignments: Partial<AssignConfig["assignments"][number]>[]) =>
  node(id, "assign", { assignments: assignments.map((a) => ({ operation: "set", mode: "expression", value: "", ...a })) });

function withVariables(g: Graph, variables: WorkflowVariable[] = VARIABLES): Graph {
  return { ...g, variables };
}

function ctx(assignments: Partial<AssignConfig["assignments"][number]>[], vars: Record<string, unknown> = initialVariables({ variables: VARIABLES })) {
  const config = assignNode.configSchema.parse({ assignments: assignments.map((a) => ({ operation: "set", ...a })) });
  return { ...nodeContext(config, { start: { n: 5, word: "hi" }, var: vars }), variables: VARIABLES };
}

describe("Variable assign executor", () => {
  it("applies set, append, increment and clear in order, each seeing the previous", async () => {
    const result = await executeAssign(
      ctx([
        { variable: "count", operation: "increment", value: "start.n" },
        { variable: "count", operation: "increment" },
        { variable: "items", operation: "append", value: "var.count * 10" },
        { variable: "note", operation: "append", mode: "template", value: "{{ start.word }}" },
      ]),
    );
    expect(result.output).toEqual({ count: 7, items: [70], note: "n:hi" });
    const cleared = await executeAssign(ctx([{ variable: "items", operation: "clear" }], { count: 1, items: [1, 2], note: "" }));
    expect(cleared.output).toEqual({ items: [] });
  });

  it("refuses a value that does not match the declared type", async () => {
    await expect(executeAssign(ctx([{ variable: "count", value: '"seven"' }]))).rejects.toMatchObject({
      code: "output_invalid",
      message: expect.stringMatching(/declared as number, but the new value is a string/),
    });
    await expect(executeAssign(ctx([{ variable: "count", operation: "append", value: "1" }]))).rejects.toMatchObject({
      message: expect.stringMatching(/append works on arrays and text/),
    });
  });

  it("fails clearly for an undeclared variable and for an expression error", async () => {
    await expect(executeAssign(ctx([{ variable: "nope", value: "1" }]))).rejects.toMatchObject({ message: expect.stringMatching(/no variable "nope"/) });
    await expect(executeAssign(ctx([{ variable: "count", value: "$number(" }]))).rejects.toMatchObject({ code: "expression_error" });
  });
});

const erase =
  <C>(executor: NodeExecutor<C>): NodeExecutor<unknown> =>
  (c) =>
    executor(c as never);

function counterGraph(): Graph {
  return withVariables(
    graph(
      [
        start("start", [{ name: "n", type: "number" }]),
        assign("add", [{ variable: "count", operation: "increment", value: "start.n" }]),
        template("show", "count={{ var.count }}"),
        assign("push", [{ variable: "items", operation: "append", value: "var.count" }]),
        end("end", { count: "{{ var.count }}", items: "{{ var.items }}", text: "{{ show.text }}" }),
      ],
      [edge("start", "add"), edge("add", "show"), edge("show", "push"), edge("push", "end")],
    ),
  );
}

function runOf(g: Graph, store: MemoryStepStore, executors = testExecutors({ assign: erase(executeAssign) })) {
  return executeRun({
    runId: "run_v",
    graph: g,
    inputs: { n: 4 },
    registry: nodeRegistry,
    executors,
    store,
    events: new MemoryEvents(),
    services: fakeServices().services,
    signal: new AbortController().signal,
  });
}

describe("workflow variables in a run", () => {
  it("later nodes read the values set by earlier assign nodes", async () => {
    const outcome = await runOf(counterGraph(), new MemoryStepStore());
    expect(outcome).toMatchObject({ status: "succeeded", output: { count: 5, items: [5], text: "count=5" } });
  });

  it("a resumed run rebuilds the variables from the succeeded assign steps, without re-running them", async () => {
    // The crashed worker had finished start and add (count 1 + 4 = 5); show was running.
    const store = new MemoryStepStore([
      { nodeId: "start", iteration: 0, nodeType: "start", status: "succeeded", output: { n: 4 }, attempt: 1 },
      { nodeId: "add", iteration: 0, nodeType: "assign", status: "succeeded", output: { count: 5 }, attempt: 1 },
      { nodeId: "show", iteration: 0, nodeType: "template", status: "running", attempt: 1 },
    ]);
    const calls: string[] = [];
    const executors = testExecutors({
      assign: (c) => {
        calls.push(c.nodeId);
        return erase(executeAssign)(c);
      },
    });
    const outcome = await runOf(counterGraph(), store, executors);
    expect(calls).toEqual(["push"]);
    expect(outcome).toMatchObject({ status: "succeeded", output: { count: 5, items: [5], text: "count=5" } });
  });
});

describe("validation of variables", () => {
  it("reports undeclared variables in templates and assign targets, and duplicate declarations", () => {
    const g = counterGraph();
    g.nodes[2] = template("show", "{{ var.missing }}");
    g.nodes[1] = assign("add", [{ variable: "ghost", value: "1" }]);
    g.variables = [...VARIABLES, { name: "count", type: "string" }];
    const codes = validateGraph(g, nodeRegistry).map((p) => p.code);
    expect(codes).toContain("duplicate_variable");
    expect(codes.filter((c) => c === "unknown_variable")).toHaveLength(2);
  });

  it("reports expression syntax errors and unknown roots in expressions", () => {
    const g = counterGraph();
    g.nodes[1] = assign("add", [{ variable: "count", value: "nothere.x + 1" }]);
    g.nodes[3] = assign("push", [{ variable: "items", operation: "append", value: "start.n +" }]);
    const problems = validateGraph(g, nodeRegistry);
    expect(problems.find((p) => p.code === "unknown_reference")?.nodeId).toBe("add");
    expect(problems.find((p) => p.code === "expression_syntax")?.nodeId).toBe("push");
  });

  it("var is a reserved node id and the picker lists var.*", () => {
    const g = counterGraph();
    g.nodes.push(template("var", "x"));
    expect(validateGraph(g, nodeRegistry).some((p) => p.code === "reserved_node_id" && p.nodeId === "var")).toBe(true);
    const picked = upstreamFields(counterGraph(), nodeRegistry, "show").filter((f) => f.nodeId === "var");
    expect(picked.map((f) => `${f.field}:${f.type}`)).toEqual(["count:number", "items:array", "note:string"]);
  });

  it("a valid graph with variables has no errors", () => {
    expect(validateGraph(counterGraph(), nodeRegistry).filter((p) => p.severity === "error")).toEqual([]);
  });
});
