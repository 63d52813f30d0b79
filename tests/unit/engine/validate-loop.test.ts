import { describe, expect, it } from "vitest";
import type { Graph, GraphEdge, GraphNode } from "@/lib/engine/graph";
import { upstreamFields, validateGraph, type Problem } from "@/lib/engine/validate";
import { nodeRegistry } from "@/lib/nodes/registry";
import { edge, end, graph, node, start, template } from "./fixtures";

/** The validator's rules for loop bodies (React Flow sub-flows with parentId). */

const validate = (g: Graph) => validateGraph(g, nodeRegistry);
const errors = (problems: Problem[]) => problems.filter((p) => p.severity === "error");
const inBody = (n: GraphNode, loopId = "loop_1"): GraphNode => ({ ...n, parentId: loopId });

function loopGraph(
  options: { loop?: Record<string, unknown>; body?: GraphNode[]; bodyEdges?: GraphEdge[]; extra?: GraphNode[]; extraEdges?: GraphEdge[]; endValue?: string } = {},
): Graph {
  const body = options.body ?? [inBody(template("fetch", "{{ loop_1.item }} #{{ loop_1.index }} for {{ start.topic }}"))];
  return graph(
    [
      start("start", [
        { name: "topic", type: "string" },
        { name: "list", type: "array" },
      ]),
      node("loop_1", "loop", { items: "{{ start.list }}", output: "fetch.text", ...options.loop }),
      ...body,
      ...(options.extra ?? []),
      end("end", { results: options.endValue ?? "{{ loop_1.results }}" }),
    ],
    [edge("start", "loop_1"), edge("loop_1", "end"), ...(options.bodyEdges ?? []), ...(options.extraEdges ?? [])],
  );
}

describe("validateGraph: loops", () => {
  it("accepts a loop whose body reads the item, the index and what is upstream of the loop", () => {
    expect(validate(loopGraph())).toEqual([]);
  });

  it("accepts a body of several connected nodes, a break condition and the collected value", () => {
    const g = loopGraph({
      loop: { output: "second.text", breakCondition: 'first.text = "stop" or loop_1.index > 3' },
      body: [inBody(template("first", "{{ loop_1.item }}")), inBody(template("second", "{{ first.text }}"))],
      bodyEdges: [edge("first", "second")],
    });
    expect(validate(g)).toEqual([]);
  });

  it("refuses a connection across the border of a loop body", () => {
    const g = loopGraph({ extra: [template("after", "x")], extraEdges: [edge("fetch", "after"), edge("after", "end")] });
    const crossing = validate(g).filter((p) => p.code === "edge_crosses_loop");
    expect(crossing).toHaveLength(1);
    expect(crossing[0].message).toContain("crosses the border of Loop node \"loop_1\"");
  });

  it("explains that a loop does not connect to its own body", () => {
    const g = loopGraph({ extraEdges: [edge("loop_1", "fetch")] });
    const problem = validate(g).find((p) => p.code === "edge_crosses_loop");
    expect(problem?.message).toContain("they start with each item ({{ loop_1.item }})");
  });

  it("refuses nested loops with a clear problem", () => {
    const g = loopGraph({
      body: [inBody(node("loop_2", "loop", { items: "{{ loop_1.item }}" })), inBody(template("inner", "x"), "loop_2")],
    });
    const nested = validate(g).filter((p) => p.code === "nested_loop");
    expect(nested).toHaveLength(1);
    expect(nested[0]).toMatchObject({ nodeId: "loop_2" });
    expect(nested[0].message).toContain("loops cannot be nested");
  });

  it("refuses a body node whose parent is not a loop, and Start or End inside a loop", () => {
    const g = loopGraph({ body: [inBody(template("fetch", "{{ loop_1.item }}")), inBody(template("odd", "x"), "fetch"), inBody(end("inner_end", { a: "1" }))] });
    const codes = errors(validate(g)).map((p) => p.code);
    expect(codes).toContain("parent_not_container");
    expect(codes).toContain("role_in_loop");
  });

  it("refuses an empty loop", () => {
    const problems = validate(loopGraph({ body: [], loop: { output: "" } }));
    expect(problems.map((p) => p.code)).toContain("empty_loop");
  });

  it("does not let nodes outside read body outputs, only the loop's results", () => {
    const problems = validate(loopGraph({ endValue: "{{ fetch.text }}" }));
    const problem = problems.find((p) => p.code === "reference_into_loop_body");
    expect(problem?.message).toBe(
      'End node "end" references {{ fetch.text }} but Template node "fetch" is inside Loop node "loop_1" and runs once per item; read {{ loop_1.results }} instead.',
    );
  });

  it("does not let the loop's list or a node upstream read the item", () => {
    const problems = validate(loopGraph({ loop: { items: "{{ loop_1.item }}" } }));
    expect(problems.map((p) => p.code)).toContain("reference_not_upstream");
  });

  it("checks body fields: the loop offers item and index only inside", () => {
    const problems = validate(loopGraph({ body: [inBody(template("fetch", "{{ loop_1.results }}"))] }));
    expect(problems.find((p) => p.code === "unknown_field")?.message).toContain("has no output \"results\" (it produces: item, index)");
  });

  it("checks the collected value and the break condition against the body", () => {
    const problems = validate(loopGraph({ loop: { output: "fetch.nothing", breakCondition: "ghost.text = 1" } }));
    const messages = errors(problems).map((p) => p.message);
    expect(messages.some((m) => m.includes('{{ fetch.nothing }}') && m.includes('no output "nothing"'))).toBe(true);
    expect(messages.some((m) => m.includes('{{ ghost.text }}') && m.includes('there is no node "ghost"'))).toBe(true);
    const syntax = validate(loopGraph({ loop: { breakCondition: "fetch.text = " } }));
    expect(syntax.map((p) => p.code)).toContain("expression_syntax");
  });

  it("still refuses cycles outside loop bodies, and inside them", () => {
    const outside = loopGraph({ extra: [template("a", "x"), template("b", "y")], extraEdges: [edge("loop_1", "a"), edge("a", "b"), edge("b", "a")] });
    expect(validate(outside).map((p) => p.code)).toContain("cycle");
    const inside = loopGraph({
      body: [inBody(template("fetch", "{{ loop_1.item }}")), inBody(template("other", "z"))],
      bodyEdges: [edge("fetch", "other"), edge("other", "fetch")],
    });
    expect(validate(inside).map((p) => p.code)).toContain("cycle");
  });
});

describe("upstreamFields inside loops", () => {
  const g = loopGraph({
    body: [inBody(template("first", "{{ loop_1.item }}")), inBody(template("second", "{{ first.text }}"))],
    bodyEdges: [edge("first", "second")],
    loop: { output: "second.text" },
  });
  const names = (fields: ReturnType<typeof upstreamFields>) => fields.map((f) => `${f.nodeId}.${f.field}`);

  it("offers a body node the item, the index, the loop's upstream and earlier body nodes", () => {
    expect(names(upstreamFields(g, nodeRegistry, "second"))).toEqual(["loop_1.item", "loop_1.index", "start.topic", "start.list", "first.text"]);
  });

  it("offers nodes after the loop its results, never body outputs", () => {
    const fields = names(upstreamFields(g, nodeRegistry, "end"));
    expect(fields).toContain("loop_1.results");
    expect(fields).not.toContain("first.text");
  });

  it("offers the loop's own settings every body node (afterBody)", () => {
    expect(names(upstreamFields(g, nodeRegistry, "loop_1", { afterBody: true }))).toEqual([
      "loop_1.item",
      "loop_1.index",
      "start.topic",
      "start.list",
      "first.text",
      "second.text",
    ]);
  });
});
