import { describe, expect, it } from "vitest";
import type { Graph } from "@/lib/engine/graph";
import { GraphSchema } from "@/lib/engine/graph";
import { validateGraph } from "@/lib/engine/validate";
import { checkConnection } from "@/lib/editor/connect";
import { containerAt, reparentAfterDrag, toConnectGraph } from "@/lib/editor/doc";
import { CONTAINER_SIZE, flowToGraph, graphToFlow } from "@/lib/editor/flow";
import { layoutPositions } from "@/lib/editor/layout";
import { applyRunEvent, applySnapshot, itemProgress, startOverlay } from "@/lib/editor/run-overlay";
import { createEditorStore, currentGraph } from "@/lib/editor/store";
import { nodeRegistry } from "@/lib/nodes/registry";

/** The editor side of loops: containers, body nodes (parentId), moving nodes in and out, the run overlay per item. */

const loopGraph = (): Graph => ({
  version: 1,
  nodes: [
    // Listed child-first on purpose: the canvas must still get the parent first.
    { id: "fetch", type: "template", parentId: "loop", position: { x: 30, y: 70 }, data: { template: "{{ loop.item }}" } },
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "list", label: "", type: "array", required: true, description: "" }] } },
    { id: "loop", type: "loop", position: { x: 300, y: 0 }, width: 500, height: 260, data: { items: "{{ start.list }}", output: "fetch.text" } },
    { id: "end", type: "end", position: { x: 900, y: 0 }, data: { outputs: [{ name: "r", value: "{{ loop.results }}" }] } },
  ],
  edges: [
    { id: "e1", source: "start", target: "loop" },
    { id: "e2", source: "loop", target: "end" },
  ],
});

const storeOf = (graph: Graph) => createEditorStore({ workflowId: "wf", name: "Loop", graph, revision: 0 });

describe("loop containers in the canvas document", () => {
  it("loads body nodes as React Flow children after their parent, with the container's size, and saves them back", () => {
    const flow = graphToFlow(loopGraph());
    expect(flow.nodes.map((n) => n.id)).toEqual(["start", "loop", "end", "fetch"]);
    expect(flow.nodes.find((n) => n.id === "fetch")).toMatchObject({ parentId: "loop", position: { x: 30, y: 70 } });
    expect(flow.nodes.find((n) => n.id === "loop")).toMatchObject({ width: 500, height: 260 });
    const saved = flowToGraph(flow);
    expect(GraphSchema.safeParse(saved).success).toBe(true);
    expect(saved.nodes.find((n) => n.id === "fetch")).toMatchObject({ parentId: "loop" });
    expect(saved.nodes.find((n) => n.id === "loop")).toMatchObject({ width: 500, height: 260 });
    expect(saved.nodes.find((n) => n.id === "start")).not.toHaveProperty("parentId");
    expect(validateGraph(saved, nodeRegistry)).toEqual([]);
    // Normalised once, a graph survives further round trips unchanged (no spurious autosaves).
    expect(flowToGraph(graphToFlow(saved))).toEqual(saved);
  });

  it("adds a loop with a container size, and a node dropped on it into its body", () => {
    const store = storeOf({ version: 1, nodes: [], edges: [] });
    const loop = store.getState().addNode("loop", { x: 100, y: 100 });
    expect(store.getState().nodes.find((n) => n.id === loop)).toMatchObject({ ...CONTAINER_SIZE });
    const doc = { nodes: store.getState().nodes, edges: store.getState().edges };
    expect(containerAt(doc, { x: 150, y: 200 }, nodeRegistry)).toBe(loop);
    expect(containerAt(doc, { x: 50, y: 200 }, nodeRegistry)).toBeUndefined();
    const inner = store.getState().addNode("http", { x: 20, y: 60 }, loop);
    expect(currentGraph(store.getState()).nodes.find((n) => n.id === inner)).toMatchObject({ parentId: loop, position: { x: 20, y: 60 } });
  });

  it("moves a dragged node into a loop and out again, dropping connections that would cross its border", () => {
    const graph = loopGraph();
    graph.nodes.push({ id: "note_me", type: "template", position: { x: 350, y: 100 }, data: { template: "x" } });
    graph.edges.push({ id: "e3", source: "start", target: "note_me" });
    const store = storeOf(graph);
    // The node at (350,100) lies inside the loop (300..800 × 0..260): dropped there, it joins the body.
    store.getState().nodeDragged("note_me");
    let node = store.getState().nodes.find((n) => n.id === "note_me")!;
    expect(node).toMatchObject({ parentId: "loop", position: { x: 50, y: 100 } });
    expect(store.getState().edges.map((e) => e.id)).toEqual(["e1", "e2"]);
    expect(store.getState().notice).toBe("1 connection removed: connections cannot cross the border of a loop.");
    // Parents stay before children.
    const ids = store.getState().nodes.map((n) => n.id);
    expect(ids.indexOf("loop")).toBeLessThan(ids.indexOf("note_me"));

    // Dragged outside the loop: it leaves the body, back to absolute coordinates.
    store.getState().onNodesChange([{ type: "position", id: "note_me", position: { x: 600, y: 400 } }]);
    store.getState().nodeDragged("note_me");
    node = store.getState().nodes.find((n) => n.id === "note_me")!;
    expect(node.parentId).toBeUndefined();
    expect(node.position).toEqual({ x: 900, y: 400 });
  });

  it("never puts a loop inside a loop by dragging", () => {
    const graph = loopGraph();
    graph.nodes.push({ id: "loop_2", type: "loop", position: { x: 320, y: 20 }, width: 200, height: 100, data: { items: "{{ start.list }}" } });
    expect(reparentAfterDrag(graphToFlow(graph), "loop_2", nodeRegistry)).toBeNull();
  });

  it("refuses connections across a loop's border while dragging an edge", () => {
    const graph = loopGraph();
    graph.nodes.push({ id: "after", type: "template", position: { x: 900, y: 200 }, data: { template: "y" } });
    const connectGraph = toConnectGraph(graphToFlow(graph));
    const out = checkConnection(connectGraph, { source: "fetch", target: "after" }, nodeRegistry);
    expect(out).toEqual({ ok: false, reason: expect.stringContaining("cannot cross the border of a loop") });
    const intoOwnBody = checkConnection(connectGraph, { source: "loop", target: "fetch" }, nodeRegistry);
    expect(intoOwnBody).toEqual({ ok: false, reason: expect.stringContaining("start with each item") });
  });

  it("deletes a loop together with its body", () => {
    const store = storeOf(loopGraph());
    store.getState().removeNodes(["loop"]);
    expect(store.getState().nodes.map((n) => n.id)).toEqual(["start", "end"]);
  });

  it("auto-layout keeps body nodes inside their loop (relative positions)", async () => {
    const graph = loopGraph();
    graph.nodes.push({ id: "second", type: "template", parentId: "loop", position: { x: 0, y: 0 }, data: { template: "{{ fetch.text }}" } });
    graph.edges.push({ id: "e4", source: "fetch", target: "second" });
    const positions = await layoutPositions(graphToFlow(graph), nodeRegistry);
    const p = (id: string) => positions.get(id)!;
    expect(p("start").x).toBeLessThan(p("loop").x);
    expect(p("loop").x + 500).toBeLessThanOrEqual(p("end").x);
    // Body positions are relative to the loop: small, and in edge order.
    expect(p("fetch").x).toBeLessThan(p("second").x);
    expect(p("fetch").x).toBeGreaterThan(0);
    expect(p("second").x).toBeLessThan(500);
  });
});

describe("the run overlay of a loop", () => {
  it("keeps the status of every item of a body node and summarises them", () => {
    let overlay = startOverlay("run_1");
    const at = "2026-01-01T00:00:00Z";
    overlay = applyRunEvent(overlay, { type: "step", nodeId: "fetch", iteration: 0, status: "running", at });
    overlay = applyRunEvent(overlay, { type: "step", nodeId: "fetch", iteration: 1, status: "running", at });
    overlay = applyRunEvent(overlay, { type: "step", nodeId: "fetch", iteration: 0, status: "succeeded", output: { text: "a" }, at });
    overlay = applyRunEvent(overlay, { type: "step", nodeId: "fetch", iteration: 2, status: "failed", error: { code: "http_error", message: "no" }, at });
    // The latest item shows; earlier items still count.
    expect(overlay.steps.fetch).toMatchObject({ iteration: 2, status: "failed", items: { 0: "succeeded", 1: "running", 2: "failed" } });
    expect(itemProgress(overlay.steps.fetch)).toBe("1 done · 1 running · 1 failed");
  });

  it("rebuilds item statuses from a snapshot, and says nothing for nodes outside loops", () => {
    const overlay = applySnapshot(startOverlay("run_1"), {
      run: { id: "run_1", status: "running", output: null, error: null },
      steps: [
        { nodeId: "start", iteration: 0, status: "succeeded", output: {}, error: null },
        { nodeId: "fetch", iteration: 1, status: "succeeded", output: {}, error: null },
        { nodeId: "fetch", iteration: 0, status: "waiting", output: null, error: null },
      ],
    });
    expect(overlay.steps.fetch).toMatchObject({ iteration: 1, items: { 0: "waiting", 1: "succeeded" } });
    expect(itemProgress(overlay.steps.fetch)).toBe("1 done · 1 waiting");
    expect(itemProgress(overlay.steps.start)).toBeNull();
  });
});
