import { describe, expect, it } from "vitest";
import { executeRun } from "@/lib/engine/run-engine";
import { validateGraph } from "@/lib/engine/validate";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { AggregateConfigSchema, aggregateNode } from "@/lib/nodes/aggregate/definition";
import { executeAggregate } from "@/lib/nodes/aggregate/execute";
import { executorRegistry } from "@/lib/nodes/executors";
import { nodeRegistry } from "@/lib/nodes/registry";
import { MemoryEvents, MemoryStepStore, condition, edge, end, fakeServices, graph, node, start, template } from "../engine/fixtures";
import { nodeContext } from "./context";

const config = (variables: string[]) => AggregateConfigSchema.parse({ variables });

describe("aggregate executor", () => {
  it("takes the first variable whose node ran, treating absent nodes as missing rather than an error", async () => {
    const scope = { b: { json: { queue: "billing" } }, c: { json: { queue: "other" } } };
    const result = await executeAggregate(nodeContext(config(["a.json", "b.json", "c.json"]), scope));
    expect(result.output).toEqual({ value: { queue: "billing" }, source: "b.json" });
    expect(result.input).toEqual({
      checked: [
        { path: "a.json", present: false },
        { path: "b.json", present: true },
      ],
    });
  });

  it("keeps null and falsy values from a node that ran, and gives null when nothing ran", async () => {
    expect((await executeAggregate(nodeContext(config(["a.n", "b.n"]), { a: { n: 0 }, b: { n: 5 } }))).output).toEqual({ value: 0, source: "a.n" });
    expect((await executeAggregate(nodeContext(config(["a.n", "b.n"]), { a: { n: null }, b: { n: 5 } }))).output).toEqual({ value: null, source: "a.n" });
    expect((await executeAggregate(nodeContext(config(["a.n"]), {}))).output).toEqual({ value: null, source: "" });
  });

  it("checks its config: at least one variable, none empty or repeated", () => {
    expect(AggregateConfigSchema.safeParse({ variables: [] }).success).toBe(false);
    expect(aggregateNode.check!(config(["", "a.b", "a.b"]))).toEqual(["Variable 1: choose a variable.", "a.b is listed twice."]);
    expect(aggregateNode.references!(config(["", "a.b"]))).toEqual(["a.b"]);
  });
});

describe("aggregate in a workflow", () => {
  const g = graph(
    [
      start("start", [{ name: "n", type: "number" }]),
      condition("cond", [{ id: "case_1", rules: [{ left: "start.n", operator: "greater_than", right: "10" }] }]),
      template("big", "big {{ start.n }}"),
      template("small", "small {{ start.n }}"),
      node("pick", "aggregate", { variables: ["big.text", "small.text"] }),
      end("end", { answer: "{{ pick.value }}", from: "{{ pick.source }}" }),
    ],
    [edge("start", "cond"), edge("cond", "big", "case_1"), edge("cond", "small", "else"), edge("big", "pick"), edge("small", "pick"), edge("pick", "end")],
  );

  it("validates: the branch outputs are upstream of the aggregator", () => {
    expect(validateGraph(g, nodeRegistry).filter((p) => p.severity === "error")).toEqual([]);
  });

  it("refuses a variable that is not upstream", () => {
    const bad = { ...g, nodes: g.nodes.map((n) => (n.id === "pick" ? { ...n, data: { variables: ["end.answer"] } } : n)) };
    expect(validateGraph(bad, nodeRegistry).map((p) => p.code)).toContain("reference_not_upstream");
  });

  it.each([
    [42, "big 42", "big.text"],
    [3, "small 3", "small.text"],
  ])("n=%s runs one branch and End reads whichever ran", async (n, answer, from) => {
    const store = new MemoryStepStore();
    const outcome = await executeRun({
      runId: "run_1",
      graph: g,
      inputs: { n },
      registry: nodeRegistry,
      executors: executorRegistry,
      store,
      events: new MemoryEvents(),
      services: fakeServices().services,
      signal: new AbortController().signal,
    });
    expect(outcome).toMatchObject({ status: "succeeded", output: { answer, from } });
    expect(store.status(from === "big.text" ? "small" : "big")).toBe("skipped");
  });

  it("the seeded ticket example is valid and returns the routed queue", async () => {
    const example = exampleWorkflows({ providerId: "p", model: "m" })[1];
    expect(validateGraph(example.graph, nodeRegistry).filter((p) => p.severity === "error")).toEqual([]);
    const outcome = await executeRun({
      runId: "run_2",
      graph: example.graph,
      inputs: { customer: "Bob", message: "I want a refund please", priority: 2 },
      registry: nodeRegistry,
      executors: executorRegistry,
      store: new MemoryStepStore(),
      events: new MemoryEvents(),
      services: fakeServices().services,
      signal: new AbortController().signal,
    });
    expect(outcome).toMatchObject({ status: "succeeded", output: { branch: "case_2", queue: "billing" } });
  });
});
