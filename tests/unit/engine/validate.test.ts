import { describe, expect, it } from "vitest";
import type { Graph } from "@/lib/engine/graph";
import { hasErrors, upstreamFields, validateGraph, type Problem } from "@/lib/engine/validate";
import { nodeRegistry } from "@/lib/nodes/registry";
import { condition, edge, end, graph, linearGraph, llm, node, start, template } from "./fixtures";

const validate = (g: unknown) => validateGraph(g, nodeRegistry);
const codes = (problems: Problem[]) => problems.map((p) => p.code);
const only = (problems: Problem[], code: string) => problems.filter((p) => p.code === code);

/** start → cond → (case_1: a | else: b) → end */
function branchingGraph(): Graph {
  return graph(
    [
      start("start", [{ name: "age", type: "number" }]),
      condition("cond", [{ id: "case_1", rules: [{ left: "start.age", operator: "greater_than", right: "17" }] }]),
      template("a", "adult {{ start.age }}"),
      template("b", "minor"),
      end("end", { result: "{{ cond.branch }}" }),
    ],
    [edge("start", "cond"), edge("cond", "a", "case_1"), edge("cond", "b", "else"), edge("a", "end"), edge("b", "end")],
  );
}

describe("validateGraph: a correct workflow", () => {
  it("has no problems", () => {
    expect(validate(linearGraph())).toEqual([]);
    expect(validate(branchingGraph())).toEqual([]);
    expect(hasErrors([])).toBe(false);
  });
});

describe("validateGraph: shape of the document", () => {
  it("reports schema failures with the node they concern", () => {
    const g = linearGraph() as unknown as { nodes: { id: string }[] };
    g.nodes[1].id = "Bad Id";
    const problems = validate(g);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ severity: "error", code: "invalid_graph", nodeId: "Bad Id", field: "id" });
    expect(problems[0].message).toContain('Node "Bad Id"');
    expect(hasErrors(problems)).toBe(true);
  });

  it("reports a document that is not a graph", () => {
    expect(codes(validate(null))).toEqual(["invalid_graph"]);
    expect(validate({ version: 2, nodes: [], edges: [] })[0].message).toContain("version");
  });

  it("reports duplicate node and edge ids", () => {
    const g = linearGraph();
    g.nodes.push({ ...g.nodes[1] });
    g.edges.push({ ...g.edges[0], target: "end" });
    const problems = validate(g);
    expect(only(problems, "duplicate_node_id")).toEqual([expect.objectContaining({ nodeId: "llm_1", severity: "error" })]);
    expect(only(problems, "duplicate_edge_id")).toEqual([expect.objectContaining({ edgeId: g.edges[0].id })]);
  });

  it("reserves ids used by the run scope", () => {
    const g = linearGraph();
    g.nodes.push(template("input", "x"));
    g.edges.push(edge("llm_1", "input"), edge("input", "end"));
    expect(only(validate(g), "reserved_node_id")).toEqual([expect.objectContaining({ nodeId: "input" })]);
  });
});

describe("validateGraph: node types and configs", () => {
  it("reports an unknown type", () => {
    const g = linearGraph();
    g.nodes.push(node("mystery", "teleport", {}));
    g.edges.push(edge("llm_1", "mystery"), edge("mystery", "end"));
    const [problem] = only(validate(g), "unknown_node_type");
    expect(problem).toMatchObject({ nodeId: "mystery" });
    expect(problem.message).toContain('"teleport"');
  });

  it("reports each schema issue of a config with its field", () => {
    const g = linearGraph();
    g.nodes[1] = llm("llm_1", "hi {{ start.question }}", { temperature: 5, outputFormat: "xml" });
    const problems = only(validate(g), "invalid_config");
    expect(problems.map((p) => p.field).sort()).toEqual(["outputFormat", "temperature"]);
    expect(problems.every((p) => p.nodeId === "llm_1" && p.message.includes('LLM node "llm_1"'))).toBe(true);
  });

  it("reports the definition's own checks", () => {
    const g = linearGraph();
    g.nodes[1] = llm("llm_1", "", { providerId: "", model: "" });
    const messages = only(validate(g), "invalid_config").map((p) => p.message);
    expect(messages).toEqual([
      'LLM node "llm_1": Choose a model provider.',
      'LLM node "llm_1": Choose a model.',
      'LLM node "llm_1": The user prompt is empty.',
    ]);
  });

  it("names nodes by their title when they have one", () => {
    const g = linearGraph();
    g.nodes[1].data.title = "Summarise";
    g.nodes[1].data.userPrompt = "";
    expect(only(validate(g), "invalid_config")[0].message).toBe('"Summarise" (llm_1): The user prompt is empty.');
  });
});

describe("validateGraph: start and end", () => {
  it("requires a Start node and an End node", () => {
    const g = graph([template("t", "x")], []);
    expect(codes(validate(g))).toEqual(expect.arrayContaining(["missing_start", "missing_end"]));
  });

  it("allows exactly one Start node", () => {
    const g = linearGraph();
    g.nodes.push(start("start_2"));
    g.edges.push(edge("start_2", "llm_1"));
    expect(only(validate(g), "multiple_starts")).toEqual([expect.objectContaining({ nodeId: "start_2" })]);
  });
});

describe("validateGraph: edges", () => {
  it("reports edges to or from missing nodes", () => {
    const g = linearGraph();
    g.edges.push(edge("llm_1", "ghost"), edge("phantom", "end"));
    const problems = only(validate(g), "dangling_edge");
    expect(problems.map((p) => p.edgeId)).toEqual(["llm_1-out-ghost", "phantom-out-end"]);
    expect(problems[0].message).toContain('"ghost"');
  });

  it("checks the handle an edge leaves from", () => {
    const g = branchingGraph();
    g.edges.push(edge("cond", "end", "case_9"));
    expect(only(validate(g), "unknown_handle")).toEqual([expect.objectContaining({ edgeId: "cond-case_9-end", nodeId: "cond" })]);
    // A missing sourceHandle means "out", which a condition does not have.
    const g2 = branchingGraph();
    g2.edges.push({ id: "plain", source: "cond", target: "end", sourceHandle: null });
    expect(only(validate(g2), "unknown_handle")).toEqual([expect.objectContaining({ edgeId: "plain" })]);
    // ...and which an LLM node does.
    const g3 = linearGraph();
    g3.edges[1] = { id: "e", source: "llm_1", target: "end", sourceHandle: null };
    expect(validate(g3)).toEqual([]);
  });

  it("refuses edges into a Start node and out of an End node", () => {
    const g = linearGraph();
    g.nodes.push(template("t", "x"));
    g.edges.push(edge("llm_1", "start"), edge("end", "t"), edge("t", "end"));
    const problems = validate(g);
    expect(only(problems, "edge_into_start")).toEqual([expect.objectContaining({ nodeId: "start" })]);
    expect(only(problems, "edge_from_end")).toEqual([expect.objectContaining({ nodeId: "end" })]);
  });

  it("refuses self-loops and warns about duplicate edges", () => {
    const g = linearGraph();
    g.edges.push(edge("llm_1", "llm_1"), { ...edge("llm_1", "end"), id: "again" });
    const problems = validate(g);
    expect(only(problems, "self_loop")).toEqual([expect.objectContaining({ nodeId: "llm_1", severity: "error" })]);
    expect(only(problems, "duplicate_edge")).toEqual([expect.objectContaining({ edgeId: "again", severity: "warning" })]);
  });
});

describe("validateGraph: connectivity", () => {
  it("reports a node with no edges at all", () => {
    const g = linearGraph();
    g.nodes.push(template("lonely", "x"));
    const problems = validate(g);
    expect(only(problems, "not_connected")).toEqual([expect.objectContaining({ nodeId: "lonely", severity: "error" })]);
    expect(problems.filter((p) => p.nodeId === "lonely")).toHaveLength(1);
  });

  it("reports nodes that cannot be reached from Start", () => {
    const g = linearGraph();
    g.nodes.push(template("island", "x"));
    g.edges.push(edge("island", "end"));
    expect(only(validate(g), "unreachable")).toEqual([expect.objectContaining({ nodeId: "island", severity: "error" })]);
  });

  it("warns about a node that leads nowhere", () => {
    const g = linearGraph();
    g.nodes.push(template("dead_end", "{{ llm_1.text }}"));
    g.edges.push(edge("llm_1", "dead_end"));
    const problems = validate(g);
    expect(only(problems, "leads_nowhere")).toEqual([expect.objectContaining({ nodeId: "dead_end", severity: "warning" })]);
    expect(hasErrors(problems)).toBe(false);
  });

  it("warns about a condition branch with no edge", () => {
    const g = branchingGraph();
    g.edges = g.edges.filter((e) => e.sourceHandle !== "else");
    g.nodes = g.nodes.filter((n) => n.id !== "b");
    g.edges = g.edges.filter((e) => e.source !== "b");
    const problems = validate(g);
    expect(only(problems, "handle_not_connected")).toEqual([
      expect.objectContaining({ nodeId: "cond", field: "else", severity: "warning" }),
    ]);
    expect(hasErrors(problems)).toBe(false);
  });

  it("reports a cycle, naming its nodes", () => {
    const g = graph(
      [start("start"), template("a", "x"), template("b", "y"), template("c", "z"), end("end", { r: "done" })],
      [edge("start", "a"), edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("c", "end")],
    );
    const cycles = only(validate(g), "cycle");
    expect(cycles).toHaveLength(1);
    expect(cycles[0].message).toBe('These nodes form a cycle: Template node "a" → Template node "b" → Template node "c" → Template node "a".');
    expect(cycles[0].severity).toBe("error");
  });
});

describe("validateGraph: references", () => {
  it("accepts references to ancestors' outputs, input.*, deep JSON paths and liquid locals", () => {
    const g = graph(
      [
        start("start", [{ name: "question", type: "string" }, { name: "meta", type: "object" }]),
        llm("llm_1", "{{ start.question }} {{ input.question }} {{ start.meta.owner.name }} {{ start.question.size }}", {
          outputFormat: "json",
        }),
        template("t", "{% for i in llm_1.json.items %}{{ i.name }}{% endfor %} {{ llm_1.json.items[0] }} {{ start.question }}"),
        end("end", { out: "{{ t.text }}", raw: "{{ llm_1 }}" }),
      ],
      [edge("start", "llm_1"), edge("llm_1", "t"), edge("t", "end")],
    );
    expect(validate(g)).toEqual([]);
  });

  it("reports a reference to a node that does not exist", () => {
    const g = linearGraph();
    g.nodes[2] = end("end", { answer: "{{ llm_2.text }}" });
    const [problem] = only(validate(g), "unknown_reference");
    expect(problem.nodeId).toBe("end");
    expect(problem.message).toBe('End node "end" references {{ llm_2.text }} but there is no node "llm_2", so no upstream node produces it.');
  });

  it("reports a reference to a node that is not upstream", () => {
    const g = branchingGraph();
    g.nodes[3] = template("b", "minor {{ a.text }}"); // a is a sibling branch, not an ancestor
    const [problem] = only(validate(g), "reference_not_upstream");
    expect(problem.nodeId).toBe("b");
    expect(problem.message).toContain("references {{ a.text }} but Template node \"a\" is not upstream of it");
    expect(problem.message).toContain("no upstream node produces it");
  });

  it("reports a node referencing itself", () => {
    const g = linearGraph();
    g.nodes[1] = llm("llm_1", "{{ llm_1.text }}");
    expect(only(validate(g), "reference_not_upstream")).toHaveLength(1);
  });

  it("reports a field the upstream node does not produce", () => {
    const g = linearGraph();
    g.nodes[2] = end("end", { answer: "{{ llm_1.json }}", q: "{{ input.nope }}" });
    const problems = only(validate(g), "unknown_field");
    expect(problems.map((p) => p.message)).toEqual([
      'End node "end" references {{ llm_1.json }} but LLM node "llm_1" has no output "json" (it produces: text, usage).',
      'End node "end" references {{ input.nope }} but Start node "start" has no output "nope" (it produces: question).',
    ]);
  });

  it("refuses fields of primitive values", () => {
    const g = linearGraph();
    g.nodes[2] = end("end", { answer: "{{ llm_1.text.words }}" });
    expect(only(validate(g), "unknown_field")[0].message).toContain("llm_1.text is a string");
  });

  it("reports each broken reference once per node", () => {
    const g = linearGraph();
    g.nodes[2] = end("end", { a: "{{ nope.x }}", b: "{{ nope.x }} again" });
    expect(only(validate(g), "unknown_reference")).toHaveLength(1);
  });

  it("reports template syntax errors", () => {
    const g = linearGraph();
    g.nodes[1] = llm("llm_1", "Hi {{ start.question ");
    const problems = only(validate(g), "template_syntax");
    expect(problems).toEqual([expect.objectContaining({ nodeId: "llm_1", severity: "error" })]);
    expect(problems[0].message).toContain("not closed");
  });

  it("checks a condition's variable paths too", () => {
    const g = branchingGraph();
    g.nodes[1] = condition("cond", [
      { id: "case_1", rules: [{ left: "start.height", operator: "greater_than", right: "{{ start.age }}" }] },
    ]);
    expect(only(validate(g), "unknown_field")[0].message).toContain("{{ start.height }}");
    g.nodes[1] = condition("cond", [{ id: "case_1", rules: [{ left: "start age", operator: "is_empty" }] }]);
    expect(only(validate(g), "invalid_reference")[0].message).toContain('"start age"');
    g.nodes[1] = condition("cond", [{ id: "case_1", rules: [{ left: "start.age", operator: "equals", right: "{{ b.text }}" }] }]);
    expect(only(validate(g), "reference_not_upstream")).toHaveLength(1);
  });
});

describe("upstreamFields", () => {
  it("lists every ancestor's output fields in graph order", () => {
    const g = branchingGraph();
    expect(upstreamFields(g, nodeRegistry, "a")).toEqual([
      { nodeId: "start", nodeLabel: "Start", field: "age", type: "number" },
      { nodeId: "cond", nodeLabel: "Condition", field: "branch", type: "string", description: "The id of the branch taken" },
    ]);
    const fields = upstreamFields(g, nodeRegistry, "end").map((f) => `${f.nodeId}.${f.field}`);
    expect(fields).toEqual(["start.age", "cond.branch", "a.text", "b.text"]);
    expect(upstreamFields(g, nodeRegistry, "start")).toEqual([]);
  });
});

describe("validateGraph: performance", () => {
  it("validates a 500-node workflow quickly enough for live editing", () => {
    const nodes = [start("start")];
    const edges = [];
    let previous = "start";
    for (let i = 0; i < 497; i++) {
      const id = `t_${i}`;
      nodes.push(template(id, `{{ start.question }} {{ ${previous === "start" ? "start.question" : `${previous}.text`} }}`));
      edges.push(edge(previous, id));
      previous = id;
    }
    nodes.push(llm("llm_1", "{{ t_0.text }}"), end("end", { r: "{{ llm_1.text }} {{ t_496.text }}" }));
    edges.push(edge(previous, "llm_1"), edge("llm_1", "end"));
    const g = graph(nodes, edges);
    validate(g); // warm the parse cache as the editor would be
    // The best of three runs, so a busy machine (parallel test files) does not fail the check.
    let elapsed = Infinity;
    let problems: Problem[] = [];
    for (let i = 0; i < 3; i++) {
      const began = performance.now();
      problems = validate(g);
      elapsed = Math.min(elapsed, performance.now() - began);
    }
    expect(problems).toEqual([]);
    expect(elapsed).toBeLessThan(250);
  });
});
