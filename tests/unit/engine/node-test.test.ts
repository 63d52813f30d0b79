import { describe, expect, it } from "vitest";
import { blockingProblems, nodeTestGraph, NodeTestRefused, upstreamNodeIds } from "@/lib/engine/node-test";
import { nodeRegistry } from "@/lib/nodes/registry";
import { edge, end, graph, llm, start, template } from "./fixtures";

const g = graph(
  [start("start"), llm("llm_1", "Say {{ start.question }}"), template("tpl", "{{ llm_1.text }}"), template("side", "x"), end("end", { a: "{{ tpl.text }}" })],
  [edge("start", "llm_1"), edge("llm_1", "tpl", "error"), edge("start", "side"), edge("tpl", "end"), edge("side", "end")],
);

describe("nodeTestGraph", () => {
  it("keeps the node and what is upstream of it, pins the upstream nodes with the given values", () => {
    expect(upstreamNodeIds(g, "tpl").sort()).toEqual(["llm_1", "start"]);
    const test = nodeTestGraph(g, "tpl", { llm_1: { error: { code: "x", message: "y" } } }, nodeRegistry);
    expect(test.nodes.map((n) => n.id).sort()).toEqual(["llm_1", "start", "tpl"]);
    expect(test.edges.map((e) => e.id).sort()).toEqual(["llm_1-error-tpl", "start-out-llm_1"]);
    const byId = new Map(test.nodes.map((n) => [n.id, n]));
    // Reached only through its error edge: the pin takes the error branch so the tested node runs.
    expect(byId.get("llm_1")?.pin).toEqual({ output: { error: { code: "x", message: "y" } }, branch: "error" });
    expect(byId.get("start")?.pin).toEqual({ output: {} });
    expect(byId.get("tpl")?.pin).toBeUndefined();
  });

  it("drops the tested node's own pin and the upstream nodes' disabled flags", () => {
    const pinned = { ...g, nodes: g.nodes.map((n) => (n.id === "tpl" ? { ...n, pin: { output: { text: "old" } } } : n.id === "llm_1" ? { ...n, disabled: true } : n)) };
    const test = nodeTestGraph(pinned, "tpl", {}, nodeRegistry);
    expect(test.nodes.find((n) => n.id === "tpl")?.pin).toBeUndefined();
    expect(test.nodes.find((n) => n.id === "llm_1")?.disabled).toBeUndefined();
  });

  it("refuses Start, unknown and disabled nodes", () => {
    expect(() => nodeTestGraph(g, "start", {}, nodeRegistry)).toThrow(NodeTestRefused);
    expect(() => nodeTestGraph(g, "nope", {}, nodeRegistry)).toThrow(/no node "nope"/);
    const off = { ...g, nodes: g.nodes.map((n) => (n.id === "tpl" ? { ...n, disabled: true } : n)) };
    expect(() => nodeTestGraph(off, "tpl", {}, nodeRegistry)).toThrow(/disabled/);
  });

  it("only the tested node's problems block it (and graph-wide ones but the missing End)", () => {
    const problems = [
      { severity: "error" as const, code: "missing_end", message: "" },
      { severity: "error" as const, code: "invalid_config", message: "", nodeId: "llm_1" },
      { severity: "error" as const, code: "unknown_field", message: "", nodeId: "tpl" },
      { severity: "error" as const, code: "cycle", message: "" },
      { severity: "warning" as const, code: "leads_nowhere", message: "", nodeId: "tpl" },
    ];
    expect(blockingProblems(problems, { nodeId: "tpl" }).map((p) => p.code)).toEqual(["unknown_field", "cycle"]);
    expect(blockingProblems(problems, undefined)).toHaveLength(4);
  });
});
