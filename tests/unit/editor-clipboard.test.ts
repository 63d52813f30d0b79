import { describe, expect, it } from "vitest";
import type { Graph } from "@/lib/engine/graph";
import { validateGraph } from "@/lib/engine/validate";
import { copyNodes, parseClipboard, pasteNodes, serializeClipboard } from "@/lib/editor/clipboard";
import { flowToGraph, graphToFlow, type FlowDoc } from "@/lib/editor/flow";
import { renameConfigReferences, renameInExpression, renameInTemplate } from "@/lib/editor/references";
import { nodeRegistry } from "@/lib/nodes/registry";

const ids = new Map([
  ["llm", "llm_2"],
  ["start", "start_2"],
  ["loop", "loop_2"],
]);

describe("renaming references in templates", () => {
  it("renames roots inside {{ }} and {% %} only, never the text around them", () => {
    expect(renameInTemplate("Ask llm: {{ llm.text }} and {{llm.json.items[0].name | upcase}}", ids)).toBe(
      "Ask llm: {{ llm_2.text }} and {{llm_2.json.items[0].name | upcase}}",
    );
    expect(renameInTemplate("{% if llm.ok %}{{ start.question }}{% endif %}", ids)).toBe("{% if llm_2.ok %}{{ start_2.question }}{% endif %}");
    expect(renameInTemplate("{%- for x in llm.items -%}{{ x }}{%- endfor -%}", ids)).toBe("{%- for x in llm_2.items -%}{{ x }}{%- endfor -%}");
  });

  it("leaves properties, string literals, filters, tag names and unrelated ids alone", () => {
    expect(renameInTemplate("{{ other.llm }}", ids)).toBe("{{ other.llm }}");
    expect(renameInTemplate('{{ "llm" | append: llm.text }}', ids)).toBe('{{ "llm" | append: llm_2.text }}');
    expect(renameInTemplate("{{ a['llm'] }}", ids)).toBe("{{ a['llm'] }}");
    expect(renameInTemplate("{{ llm_3.text }} {{ var.llm }} {{ input.llm }}", ids)).toBe("{{ llm_3.text }} {{ var.llm }} {{ input.llm }}");
    expect(renameInTemplate("{% assign llmx = llm.text %}", ids)).toBe("{% assign llmx = llm_2.text %}");
    expect(renameInTemplate("no tags: llm.text", ids)).toBe("no tags: llm.text");
    expect(renameInTemplate("{% for i in (1..llm.count) %}{{ i }}{% endfor %}", ids)).toBe("{% for i in (1..llm_2.count) %}{{ i }}{% endfor %}");
  });
});

describe("renaming references in expressions and paths", () => {
  it("renames root names, including after $ and $$", () => {
    expect(renameInExpression("llm.json.items[price > 5].name", ids)).toBe("llm_2.json.items[price > 5].name");
    expect(renameInExpression("$sum(llm.json.totals) + start.count", ids)).toBe("$sum(llm_2.json.totals) + start_2.count");
    expect(renameInExpression("$$.llm.text & $.start.x", ids)).toBe("$$.llm_2.text & $.start_2.x");
    expect(renameInExpression("llm.text", ids)).toBe("llm_2.text");
  });

  it("leaves properties, $variables, literals and numbers alone", () => {
    expect(renameInExpression('other.llm & $llm & "llm" & \'start\' & 1.5', ids)).toBe('other.llm & $llm & "llm" & \'start\' & 1.5');
    expect(renameInExpression("$map(xs, function($v) { $v.llm })", ids)).toBe("$map(xs, function($v) { $v.llm })");
  });
});

describe("renaming references in a node's config", () => {
  it("treats a condition's left side as a path and its right side as a template", () => {
    const config = { cases: [{ id: "case_1", logic: "and", rules: [{ left: "llm.text", operator: "contains", right: "{{ start.word }} llm" }] }] };
    expect(renameConfigReferences(nodeRegistry.condition, config, ids)).toEqual({
      cases: [{ id: "case_1", logic: "and", rules: [{ left: "llm_2.text", operator: "contains", right: "{{ start_2.word }} llm" }] }],
    });
    // The original is untouched.
    expect(config.cases[0].rules[0].left).toBe("llm.text");
  });

  it("renames a loop's items template, break condition and collected path", () => {
    const config = { items: "{{ start.urls }}", parallelism: 1, output: "llm.text", breakCondition: "llm.json.done = true", onItemError: "fail" };
    expect(renameConfigReferences(nodeRegistry.loop, config, ids)).toEqual({
      ...config,
      items: "{{ start_2.urls }}",
      output: "llm_2.text",
      breakCondition: "llm_2.json.done = true",
    });
  });

  it("leaves prose without tags alone (a system prompt that mentions llm)", () => {
    const config = { ...(nodeRegistry.llm!.defaultConfig() as Record<string, unknown>), systemPrompt: "You are the llm step.", userPrompt: "{{ start.question }}" };
    const renamed = renameConfigReferences(nodeRegistry.llm, config, ids);
    expect(renamed.systemPrompt).toBe("You are the llm step.");
    expect(renamed.userPrompt).toBe("{{ start_2.question }}");
  });
});

/** Start → LLM → End, the LLM reading Start and End reading the LLM. */
const graph: Graph = {
  version: 1,
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: nodeRegistry.start!.defaultConfig() as Record<string, unknown> },
    { id: "llm", type: "llm", position: { x: 300, y: 0 }, data: { ...(nodeRegistry.llm!.defaultConfig() as Record<string, unknown>), userPrompt: "Q: {{ start.question }}" } },
    { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "answer", value: "{{ llm.text }}" }] } },
  ],
  edges: [
    { id: "e1", source: "start", target: "llm" },
    { id: "e2", source: "llm", target: "end" },
  ],
};

describe("copy and paste", () => {
  it("copies the chosen nodes with their settings and only the edges between them", () => {
    const clip = copyNodes(graphToFlow(graph), ["llm", "end"])!;
    expect(clip.nodes.map((n) => n.id)).toEqual(["llm", "end"]);
    expect(clip.nodes[0].data.userPrompt).toBe("Q: {{ start.question }}");
    expect(clip.edges).toEqual([{ id: "e2", source: "llm", target: "end" }]);
    expect(copyNodes(graphToFlow(graph), [])).toBeNull();
  });

  it("pastes into the same workflow with new ids, inner references rewritten, outer ones kept, offset and selected", () => {
    const doc = graphToFlow(graph);
    const clip = copyNodes(doc, ["llm", "end"])!;
    const result = pasteNodes(doc, clip, nodeRegistry);
    expect(result.ids).toEqual(["llm_2", "end_2"]);
    const pasted = flowToGraph(result.doc);
    const llm2 = pasted.nodes.find((n) => n.id === "llm_2")!;
    const end2 = pasted.nodes.find((n) => n.id === "end_2")!;
    // start was not copied: the pasted LLM still reads the one Start.
    expect(llm2.data.userPrompt).toBe("Q: {{ start.question }}");
    expect(end2.data).toEqual({ outputs: [{ name: "answer", value: "{{ llm_2.text }}" }] });
    expect(llm2.position).toEqual({ x: 340, y: 40 });
    expect(pasted.edges.slice(2)).toEqual([{ id: "llm_2.out->end_2", source: "llm_2", target: "end_2" }]);
    expect(result.doc.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["llm_2", "end_2"]);
    // The originals are unchanged.
    expect(pasted.nodes.slice(0, 3)).toEqual(graph.nodes);
    // A second paste moves further, so it never hides the first.
    const again = pasteNodes(result.doc, clip, nodeRegistry);
    expect(flowToGraph(again.doc).nodes.find((n) => n.id === "llm_3")!.position).toEqual({ x: 380, y: 80 });
  });

  it("keeps ids that are free in another workflow and places the group at the pointer", () => {
    const clip = parseClipboard(serializeClipboard(copyNodes(graphToFlow(graph), ["start", "llm", "end"])!))!;
    const other: FlowDoc = graphToFlow({ version: 1, nodes: [{ id: "llm", type: "llm", position: { x: 0, y: 0 }, data: nodeRegistry.llm!.defaultConfig() as Record<string, unknown> }], edges: [] });
    const result = pasteNodes(other, clip, nodeRegistry, { x: 1_000, y: 500 });
    expect(result.ids).toEqual(["start", "llm_2", "end"]);
    const pasted = flowToGraph(result.doc);
    expect(pasted.nodes.map((n) => [n.id, n.position])).toEqual([
      ["llm", { x: 0, y: 0 }],
      ["start", { x: 1_000, y: 500 }],
      ["llm_2", { x: 1_300, y: 500 }],
      ["end", { x: 1_600, y: 500 }],
    ]);
    expect(pasted.nodes.find((n) => n.id === "end")!.data).toEqual({ outputs: [{ name: "answer", value: "{{ llm_2.text }}" }] });
    // The pasted copy is a valid workflow of its own: references and edges line up.
    const pastedOnly: Graph = { ...pasted, nodes: pasted.nodes.filter((n) => result.ids.includes(n.id)) };
    const problems = validateGraph(pastedOnly, nodeRegistry).filter((p) => p.code.includes("reference"));
    expect(problems).toEqual([]);
  });

  it("copies a loop with its body, and a body node alone leaves the loop", () => {
    const withLoop: Graph = {
      version: 1,
      nodes: [
        { id: "loop", type: "loop", position: { x: 100, y: 100 }, width: 560, height: 300, data: { items: "{{ start.items }}", parallelism: 1, output: "template.text", breakCondition: "", onItemError: "fail" } },
        { id: "template", type: "template", parentId: "loop", position: { x: 20, y: 60 }, data: { template: "{{ loop.item }}", format: "text" } },
      ],
      edges: [],
    };
    const doc = graphToFlow(withLoop);
    const whole = pasteNodes(doc, copyNodes(doc, ["loop"])!, nodeRegistry);
    const pasted = flowToGraph(whole.doc);
    expect(pasted.nodes.slice(2)).toEqual([
      { id: "loop_2", type: "loop", position: { x: 140, y: 140 }, width: 560, height: 300, data: { ...withLoop.nodes[0].data, output: "template_2.text" } },
      { id: "template_2", type: "template", parentId: "loop_2", position: { x: 20, y: 60 }, data: { template: "{{ loop_2.item }}", format: "text" } },
    ]);
    const alone = copyNodes(doc, ["template"])!;
    expect(alone.nodes).toEqual([{ id: "template", type: "template", position: { x: 120, y: 160 }, data: { template: "{{ loop.item }}", format: "text" } }]);
  });

  it("refuses clipboard text that is not Weft nodes, and leaves out unknown node types", () => {
    expect(parseClipboard("hello")).toBeNull();
    expect(parseClipboard('{"weft":"nodes","version":1,"nodes":[],"edges":[]}')).toBeNull();
    expect(parseClipboard('{"weft":"nodes","version":1,"nodes":[{"id":"Bad Id","type":"llm","position":{"x":0,"y":0},"data":{}}],"edges":[]}')).toBeNull();
    const clip = parseClipboard(JSON.stringify({ weft: "nodes", version: 1, nodes: [{ id: "gadget", type: "gadget", position: { x: 0, y: 0 }, data: {} }], edges: [] }))!;
    expect(pasteNodes(graphToFlow(graph), clip, nodeRegistry).ids).toEqual([]);
  });
});
