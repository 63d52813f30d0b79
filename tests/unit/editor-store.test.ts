import { describe, expect, it } from "vitest";
import type { Graph } from "@/lib/engine/graph";
import { GraphSchema } from "@/lib/engine/graph";
import { validateGraph } from "@/lib/engine/validate";
import { checkConnection } from "@/lib/editor/connect";
import { flowToGraph, graphToFlow, WEFT_NODE } from "@/lib/editor/flow";
import { nextCaseId, nextEdgeId, nextNodeId } from "@/lib/editor/ids";
import { createEditorStore, currentGraph } from "@/lib/editor/store";
import { selectedNodeId } from "@/lib/editor/doc";
import { nodeRegistry } from "@/lib/nodes/registry";

const emptyStore = () => createEditorStore({ workflowId: "wf_1", name: "Test", graph: { version: 1, nodes: [], edges: [] }, revision: 0 });

/** Start → LLM → End, wired through the store the way the canvas does it. */
function linearStore() {
  const store = emptyStore();
  const s = store.getState();
  const start = s.addNode("start", { x: 0, y: 0 });
  const llm = s.addNode("llm", { x: 300, y: 0 });
  const end = s.addNode("end", { x: 600, y: 0 });
  expect(store.getState().connect({ source: start, sourceHandle: "out", target: llm, targetHandle: null }).ok).toBe(true);
  expect(store.getState().connect({ source: llm, sourceHandle: "out", target: end, targetHandle: null }).ok).toBe(true);
  return { store, start, llm, end };
}

describe("node ids", () => {
  it("uses the type name first, then _2, _3, and fills gaps", () => {
    expect(nextNodeId("llm", [])).toBe("llm");
    expect(nextNodeId("llm", ["llm"])).toBe("llm_2");
    expect(nextNodeId("llm", ["llm", "llm_2"])).toBe("llm_3");
    expect(nextNodeId("llm", ["llm_2"])).toBe("llm");
    expect(nextNodeId("llm", ["llm", "llm_3"])).toBe("llm_2");
  });

  it("produces ids that are valid template references", () => {
    for (const type of ["start", "llm", "condition", "template", "end", "Web-Hook", "9lives"]) {
      const id = nextNodeId(type, [type]);
      expect(id).toMatch(/^[a-z][a-z0-9_]{0,62}$/);
    }
  });

  it("numbers condition cases and edges without collisions", () => {
    expect(nextCaseId([{ id: "case_1" }])).toBe("case_2");
    expect(nextCaseId([{ id: "case_1" }, { id: "case_2" }])).toBe("case_3");
    expect(nextCaseId([{ id: "case_2" }])).toBe("case_3");
    expect(nextCaseId([{ id: "case_3" }])).toBe("case_2");
    expect(nextEdgeId("a", "out", "b", ["a.out->b"])).toBe("a.out->b#2");
  });
});

describe("editor store: adding nodes", () => {
  it("adds nodes with unique readable ids, default configs, and selects the new node", () => {
    const store = emptyStore();
    const first = store.getState().addNode("llm", { x: 10.4, y: 20.6 });
    const second = store.getState().addNode("llm");
    const third = store.getState().addNode("llm");
    expect([first, second, third]).toEqual(["llm", "llm_2", "llm_3"]);
    const { nodes } = store.getState();
    expect(nodes.map((n) => n.type)).toEqual([WEFT_NODE, WEFT_NODE, WEFT_NODE]);
    expect(nodes[0].data).toEqual({ kind: "llm", config: nodeRegistry.llm!.defaultConfig() });
    expect(nodes[0].position).toEqual({ x: 10, y: 21 });
    expect(selectedNodeId({ nodes, edges: [] })).toBe("llm_3");
    // Click-added nodes do not land on top of each other.
    expect(new Set(nodes.map((n) => `${n.position.x},${n.position.y}`)).size).toBe(3);
  });

  it("refuses unknown node types", () => {
    expect(() => emptyStore().getState().addNode("teleport")).toThrow(/Unknown node type/);
  });
});

describe("editor store: connecting", () => {
  it("connects handles and rejects self-loops, edges into Start, out of End, duplicates and cycles", () => {
    const { store, start, llm, end } = linearStore();
    const s = store.getState();
    expect(store.getState().edges).toHaveLength(2);

    const refuse = (source: string, target: string, sourceHandle: string | null = "out") => {
      const check = store.getState().connect({ source, target, sourceHandle, targetHandle: null });
      expect(check.ok).toBe(false);
      return check.ok ? "" : check.reason;
    };
    expect(refuse(llm, llm)).toMatch(/itself/);
    expect(refuse(llm, start)).toMatch(/Start takes no incoming edge/);
    expect(refuse(end, llm, null)).toMatch(/End has no outgoing edge/);
    expect(refuse(start, llm)).toMatch(/already connected/);

    const template = s.addNode("template");
    expect(store.getState().connect({ source: llm, sourceHandle: "out", target: template, targetHandle: null }).ok).toBe(true);
    // template → llm would close llm → template → llm.
    expect(refuse(template, llm)).toMatch(/cycle/);
    expect(store.getState().notice).toMatch(/cycle/);
    expect(store.getState().edges).toHaveLength(3);
  });

  it("agrees with the validator: an accepted connection never creates a cycle problem", () => {
    const { store, llm } = linearStore();
    const t1 = store.getState().addNode("template");
    const t2 = store.getState().addNode("template");
    store.getState().connect({ source: llm, sourceHandle: "out", target: t1, targetHandle: null });
    store.getState().connect({ source: t1, sourceHandle: "out", target: t2, targetHandle: null });
    store.getState().connect({ source: t2, sourceHandle: "out", target: llm, targetHandle: null });
    const problems = validateGraph(currentGraph(store.getState()), nodeRegistry);
    expect(problems.filter((p) => p.code === "cycle")).toEqual([]);
    // The validator does see the cycle when such an edge arrives from elsewhere (an import).
    const graph = currentGraph(store.getState());
    graph.edges.push({ id: "x", source: t2, target: llm, sourceHandle: "out" });
    expect(checkConnection({ nodes: graph.nodes.map((n) => ({ id: n.id, kind: n.type })), edges: graph.edges.slice(0, -1) }, { source: t2, target: llm, sourceHandle: "out" }, nodeRegistry).ok).toBe(false);
    expect(validateGraph(graph, nodeRegistry).some((p) => p.code === "cycle")).toBe(true);
  });

  it("lets a condition connect each branch handle separately", () => {
    const store = emptyStore();
    const cond = store.getState().addNode("condition");
    const a = store.getState().addNode("template");
    const b = store.getState().addNode("template");
    expect(store.getState().connect({ source: cond, sourceHandle: "case_1", target: a, targetHandle: null }).ok).toBe(true);
    expect(store.getState().connect({ source: cond, sourceHandle: "else", target: b, targetHandle: null }).ok).toBe(true);
    expect(store.getState().connect({ source: cond, sourceHandle: "else", target: a, targetHandle: null }).ok).toBe(true);
    expect(store.getState().edges.map((e) => e.sourceHandle)).toEqual(["case_1", "else", "else"]);
  });
});

describe("editor store: removing", () => {
  it("removing a node removes every edge touching it", () => {
    const { store, llm, start, end } = linearStore();
    store.getState().removeNodes([llm]);
    expect(store.getState().nodes.map((n) => n.id)).toEqual([start, end]);
    expect(store.getState().edges).toEqual([]);
  });

  it("a React Flow remove change (Delete key) also drops the node's edges", () => {
    const { store, llm } = linearStore();
    store.getState().onNodesChange([{ type: "remove", id: llm }]);
    expect(store.getState().nodes.some((n) => n.id === llm)).toBe(false);
    expect(store.getState().edges).toEqual([]);
  });

  it("moving a node through React Flow changes its position", () => {
    const { store, llm } = linearStore();
    store.getState().onNodesChange([{ type: "position", id: llm, position: { x: 123.7, y: 45.2 }, dragging: false }]);
    const graph = currentGraph(store.getState());
    expect(graph.nodes.find((n) => n.id === llm)!.position).toEqual({ x: 124, y: 45 });
  });
});

describe("editor store: config", () => {
  it("updates a node's config and keeps its title", () => {
    const { store, llm } = linearStore();
    store.getState().setTitle(llm, "Answerer");
    const config = { ...nodeRegistry.llm!.defaultConfig() as Record<string, unknown>, userPrompt: "Say {{ start.question }}" };
    store.getState().updateConfig(llm, config);
    const node = store.getState().nodes.find((n) => n.id === llm)!;
    expect(node.data.config).toEqual({ ...config, title: "Answerer" });
    store.getState().setTitle(llm, "  ");
    expect(store.getState().nodes.find((n) => n.id === llm)!.data.config).toEqual(config);
  });

  it("removing a condition branch removes the edges that left it", () => {
    const store = emptyStore();
    const cond = store.getState().addNode("condition");
    const a = store.getState().addNode("template");
    const b = store.getState().addNode("template");
    const rule = { left: "start.x", operator: "equals", right: "1" };
    store.getState().updateConfig(cond, { cases: [{ id: "case_1", logic: "and", rules: [rule] }, { id: "case_2", logic: "and", rules: [rule] }] });
    store.getState().connect({ source: cond, sourceHandle: "case_2", target: a, targetHandle: null });
    store.getState().connect({ source: cond, sourceHandle: "else", target: b, targetHandle: null });
    store.getState().updateConfig(cond, { cases: [{ id: "case_1", logic: "and", rules: [rule] }] });
    expect(store.getState().edges.map((e) => `${e.sourceHandle}->${e.target}`)).toEqual([`else->${b}`]);
  });

  it("keeps edges when a draft config is too broken to know its handles", () => {
    const store = emptyStore();
    const cond = store.getState().addNode("condition");
    const a = store.getState().addNode("template");
    store.getState().connect({ source: cond, sourceHandle: "case_1", target: a, targetHandle: null });
    store.getState().updateConfig(cond, { cases: "oops" });
    expect(store.getState().edges).toHaveLength(1);
  });
});

describe("editor store: problems", () => {
  it("indexes problems by node and keeps unchanged entries identical so unaffected nodes do not re-render", () => {
    const { store, llm, end } = linearStore();
    const first = validateGraph(currentGraph(store.getState()), nodeRegistry);
    store.getState().setProblems(first);
    const before = store.getState().problemsByNode;
    expect(before[llm]?.map((p) => p.message)).toEqual(expect.arrayContaining([expect.stringMatching(/model provider/)]));
    expect(before[llm]?.every((p) => p.nodeId === llm)).toBe(true);

    // Fix only the End node: the LLM's entry keeps its identity, the End's changes.
    store.getState().updateConfig(end, { outputs: [{ name: "result", value: "{{ llm.text }}" }] });
    store.getState().setProblems(validateGraph(currentGraph(store.getState()), nodeRegistry));
    const after = store.getState().problemsByNode;
    expect(after[llm]).toBe(before[llm]);
    expect(after[end]).not.toEqual(before[end]);

    // The same list again changes nothing at all.
    const state = store.getState();
    store.getState().setProblems(validateGraph(currentGraph(store.getState()), nodeRegistry));
    expect(store.getState().problems).toBe(state.problems);
  });
});

describe("editor store: layout", () => {
  it("moves only the nodes it is given, rounding positions", () => {
    const { store, start, llm, end } = linearStore();
    store.getState().setPositions(new Map([[llm, { x: 10.6, y: -3.2 }]]));
    const graph = currentGraph(store.getState());
    expect(graph.nodes.map((n) => [n.id, n.position])).toEqual([
      [start, { x: 0, y: 0 }],
      [llm, { x: 11, y: -3 }],
      [end, { x: 600, y: 0 }],
    ]);
  });
});

describe("serialisation", () => {
  it("produces the stored Graph shape with rounded positions, and round-trips", () => {
    const { store, start, llm, end } = linearStore();
    store.getState().onNodesChange([{ type: "position", id: end, position: { x: 600.49, y: -0.5 } }]);
    const graph = currentGraph(store.getState());
    expect(GraphSchema.safeParse(graph).success).toBe(true);
    expect(graph.version).toBe(1);
    expect(graph.nodes.map((n) => [n.id, n.type])).toEqual([
      [start, "start"],
      [llm, "llm"],
      [end, "end"],
    ]);
    expect(graph.nodes[2].position).toEqual({ x: 600, y: -0 });
    expect(graph.nodes[0].data).toEqual(nodeRegistry.start!.defaultConfig());
    expect(graph.edges).toEqual([
      { id: `${start}.out->${llm}`, source: start, sourceHandle: "out", target: llm },
      { id: `${llm}.out->${end}`, source: llm, sourceHandle: "out", target: end },
    ]);
    // No React Flow bookkeeping leaks into the stored graph.
    expect(JSON.stringify(graph)).not.toMatch(/selected|measured|weft/);
    expect(flowToGraph(graphToFlow(graph))).toEqual(graph);
  });

  it("loads a stored graph with null or missing handles", () => {
    const graph: Graph = {
      version: 1,
      nodes: [
        { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
        { id: "end", type: "end", position: { x: 1, y: 2 }, data: { outputs: [] } },
      ],
      edges: [{ id: "e1", source: "start", target: "end", sourceHandle: null }],
    };
    const flow = graphToFlow(graph);
    expect(flow.nodes[0]).toMatchObject({ id: "start", type: WEFT_NODE, data: { kind: "start" } });
    expect(flowToGraph(flow).edges).toEqual([{ id: "e1", source: "start", target: "end" }]);
  });
});
