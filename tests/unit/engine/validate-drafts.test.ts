import { describe, expect, it } from "vitest";
import type { Graph } from "@/lib/engine/graph";
import { branchOnlyReads } from "@/lib/engine/branch-reads";
import { hasErrors, validateGraph, type Problem } from "@/lib/engine/validate";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { nodeRegistry } from "@/lib/nodes/registry";
import { condition, edge, end, graph, linearGraph, llm, node, start, template } from "./fixtures";

/** Drafts that look fine but cannot run as written: unknown keys in node data, reads of branches that may not run, very deep expressions. */
const validate = (g: unknown) => validateGraph(g, nodeRegistry);
const only = (problems: Problem[], code: string) => problems.filter((p) => p.code === code);

const adultRule = [{ id: "case_1", rules: [{ left: "start.age", operator: "greater_than", right: "17" }] }];

/** start → cond → (case_1: a | else: b) → end, where end reads `endReads`. */
function ifElse(endReads: string, extra: { nodes?: Graph["nodes"]; edges?: Graph["edges"] } = {}): Graph {
  return graph(
    [
      start("start", [{ name: "age", type: "number" }]),
      condition("cond", adultRule),
      template("a", "adult {{ start.age }}"),
      template("b", "minor"),
      end("end", { result: endReads }),
      ...(extra.nodes ?? []),
    ],
    [edge("start", "cond"), edge("cond", "a", "case_1"), edge("cond", "b", "else"), edge("a", "end"), edge("b", "end"), ...(extra.edges ?? [])],
  );
}

describe("validateGraph: unknown keys in node data", () => {
  it("refuses a key that is not part of the node's config, naming the node, the key and the allowed keys", () => {
    const g = linearGraph();
    g.nodes[1]!.data = { ...g.nodes[1]!.data, timeoutMS: 5000, temprature: 0.2 };
    const problems = only(validate(g), "unknown_config_key");
    expect(problems.map((p) => [p.nodeId, p.field, p.severity])).toEqual([
      [g.nodes[1]!.id, "timeoutMS", "error"],
      [g.nodes[1]!.id, "temprature", "error"],
    ]);
    expect(problems[0]!.message).toMatch(/"timeoutMS" is not a setting of a LLM node \(its settings are: .*userPrompt.*\); remove it\./);
  });

  it("accepts what the editor stores beside the config: a title and the node's settings", () => {
    const g = linearGraph();
    g.nodes[1]!.data = { ...g.nodes[1]!.data, title: "Answer", settings: { timeoutMs: 30_000 } };
    expect(only(validate(g), "unknown_config_key")).toEqual([]);
  });

  it("accepts every node's default config (what the editor creates) and every bundled example", () => {
    for (const [type, def] of Object.entries(nodeRegistry)) {
      const g = graph([node("n", type, def!.defaultConfig() as Record<string, unknown>)], []);
      expect(only(validate(g), "unknown_config_key"), type).toEqual([]);
    }
    for (const example of exampleWorkflows({ providerId: "prov_1", model: "test-model" })) {
      expect(only(validate(example.graph), "unknown_config_key"), example.name).toEqual([]);
    }
  });
});

describe("validateGraph: reads of a node that may not have run", () => {
  it("warns when End reads a node that runs on one branch only, naming the node, the reference and the branch", () => {
    const problems = only(validate(ifElse("{{ a.text }}")), "reference_maybe_skipped");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ severity: "warning", nodeId: "end" });
    expect(problems[0]!.message).toMatch(/End node "end" reads \{\{ a\.text \}\}, but Template node "a" does not run when Condition node "cond" takes branch "ELSE"/);
    expect(hasErrors(validate(ifElse("{{ a.text }}")))).toBe(false);
  });

  it("says nothing when the read node runs on every path: before the branch, the branch node itself, or in parallel", () => {
    expect(only(validate(ifElse("{{ start.age }} {{ cond.branch }}")), "reference_maybe_skipped")).toEqual([]);
    const parallel = graph(
      [start("start"), template("x", "x"), template("y", "y"), end("end", { r: "{{ x.text }} {{ y.text }}" })],
      [edge("start", "x"), edge("start", "y"), edge("x", "end"), edge("y", "end")],
    );
    expect(only(validate(parallel), "reference_maybe_skipped")).toEqual([]);
  });

  it("says nothing when the reader is on the same branch as the node it reads", () => {
    const g = ifElse("{{ cond.branch }}", { nodes: [template("a2", "{{ a.text }}")], edges: [edge("a", "a2"), edge("a2", "end")] });
    expect(only(validate(g), "reference_maybe_skipped")).toEqual([]);
  });

  it("warns for any node after the merge, not only End", () => {
    const g = ifElse("{{ after.text }}", { nodes: [template("after", "{{ b.text }}")], edges: [edge("a", "after"), edge("b", "after"), edge("after", "end")] });
    const problems = only(validate(g), "reference_maybe_skipped");
    expect(problems.map((p) => p.nodeId)).toEqual(["after"]);
    expect(problems[0]!.message).toMatch(/reads \{\{ b\.text \}\}, but Template node "b" does not run when Condition node "cond" takes branch ".+"/);
  });

  it("warns about a node skipped when an earlier node takes its error branch", () => {
    const g = graph(
      [start("start"), llm("ask", "{{ start.question }}", { settings: { onError: "branch" } }), template("fallback", "sorry"), end("end", { answer: "{{ ask.text }}" })],
      [edge("start", "ask"), edge("ask", "end"), edge("ask", "fallback", "error"), edge("fallback", "end")],
    );
    const problems = only(validate(g), "reference_maybe_skipped");
    expect(problems).toHaveLength(0);
    const reading = graph(
      [
        start("start"),
        llm("ask", "{{ start.question }}", { settings: { onError: "branch" } }),
        template("shown", "{{ ask.text }}"),
        template("fallback", "sorry"),
        end("end", { answer: "{{ shown.text }}" }),
      ],
      [edge("start", "ask"), edge("ask", "shown"), edge("shown", "end"), edge("ask", "fallback", "error"), edge("fallback", "end")],
    );
    const warned = only(validate(reading), "reference_maybe_skipped");
    expect(warned).toHaveLength(1);
    expect(warned[0]!.message).toMatch(/reads \{\{ shown\.text \}\}.*when LLM node "ask" takes its error branch/);
  });

  it("leaves the Variable aggregator alone: joining branches is its job", () => {
    const g = ifElse("{{ pick.value }}", {
      nodes: [node("pick", "aggregate", { variables: ["a.text", "b.text"] })],
      edges: [edge("a", "pick"), edge("b", "pick"), edge("pick", "end")],
    });
    expect(only(validate(g), "reference_maybe_skipped")).toEqual([]);
  });

  it("branchOnlyReads: a branch with no edge decides nothing; a read is reported once", () => {
    const handles = new Map([
      ["s", ["out"]],
      ["c", ["yes", "no"]],
      ["y", ["out"]],
      ["n", ["out"]],
      ["e", ["out"]],
    ]);
    const edges = [
      { source: "s", target: "c", handle: "out" },
      { source: "c", target: "y", handle: "yes" },
      { source: "c", target: "n", handle: "no" },
      { source: "y", target: "e", handle: "out" },
      { source: "n", target: "e", handle: "out" },
    ];
    const read = { nodeId: "e", root: "y", shown: "{{ y.v }}" };
    expect(branchOnlyReads({ handles, edges, labelOf: (_id, h) => h.toUpperCase() }, [read])).toEqual([{ ...read, taking: { nodeId: "c", handle: "no", label: "NO" } }]);
    const oneBranch = edges.filter((e) => e.handle !== "no" && e.source !== "n");
    expect(branchOnlyReads({ handles, edges: oneBranch, labelOf: () => "" }, [read])).toEqual([]);
    // A cycle (reported on its own) falls back to searching the whole graph per branch: same answer.
    const cyclic = [...edges, { source: "e", target: "s", handle: "out" }];
    expect(branchOnlyReads({ handles, edges: cyclic, labelOf: (_id, h) => h.toUpperCase() }, [read])).toEqual([]);
  });
});

describe("validateGraph: very deep expressions", () => {
  it("reports a very deep JSONata expression as a problem instead of throwing (it used to overflow the stack)", () => {
    const deep = Array(1_000).fill("start.n").join(" + ");
    const g: Graph = {
      ...graph(
        [
          start("start", [{ name: "n", type: "number" }]),
          node("set", "assign", { assignments: [{ variable: "total", operation: "set", mode: "expression", value: deep }] }),
          end("end", { t: "{{ var.total }}" }),
        ],
        [edge("start", "set"), edge("set", "end")],
      ),
      variables: [{ name: "total", type: "number" }],
    };
    const problems = only(validate(g), "expression_syntax");
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/nests deeper than 120 levels/);
  });
});
