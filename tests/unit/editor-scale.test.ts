import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Graph } from "@/lib/engine/graph";
import { LIMITS } from "@/lib/engine/limits";
import { saveGraph } from "@/lib/editor/api";
import { Autosaver, type SaveResult } from "@/lib/editor/autosave";
import { graphToFlow, type FlowDoc } from "@/lib/editor/flow";
import { checkNodeLimit, nodeCountNote } from "@/lib/editor/node-limit";
import { openingViewport } from "@/lib/editor/opening-view";
import { placeNewNode } from "@/lib/editor/placement";
import { nodeRunStatus, startOverlay } from "@/lib/editor/run-overlay";
import { createEditorStore } from "@/lib/editor/store";
import { sameStructure } from "@/lib/editor/structure";
import { applyGraphPatch, diffGraphs } from "@/lib/workflows/graph-patch";
import { largeGraph } from "../../bench/lib/large-graph";

describe("graph patches", () => {
  it("diff then apply gives the edited graph back: moved, changed, added and removed nodes and edges, variables", () => {
    const base = largeGraph(60);
    const next: Graph = {
      ...base,
      nodes: [
        ...base.nodes.filter((n) => n.id !== "step_7").map((n) => (n.id === "step_2" ? { ...n, position: { x: 5, y: 5 } } : n.id === "step_3" ? { ...n, data: { ...n.data, template: "new" } } : n)),
        { id: "extra", type: "template", position: { x: 0, y: 0 }, data: { template: "x", format: "text" } },
      ],
      edges: [...base.edges.filter((e) => e.source !== "step_7" && e.target !== "step_7"), { id: "e_new", source: "step_6", target: "step_8" }],
      variables: [{ name: "count", type: "number", default: 0 }],
    };
    const patch = diffGraphs(base, next);
    expect(patch.upsertNodes.map((n) => n.id)).toEqual(["step_2", "step_3", "extra"]);
    expect(patch.removeNodes).toEqual(["step_7"]);
    expect(patch.upsertEdges.map((e) => e.id)).toEqual(["e_new"]);
    expect(patch.removeEdges.sort()).toEqual(["e_step_6", "e_step_7"]);
    const applied = applyGraphPatch(base, patch);
    expect(applied.ok).toBe(true);
    if (!applied.ok) return;
    const sorted = (g: Graph) => ({ nodes: [...g.nodes].sort((a, b) => a.id.localeCompare(b.id)), edges: [...g.edges].sort((a, b) => a.id.localeCompare(b.id)), variables: g.variables });
    expect(sorted(applied.graph)).toEqual(sorted(next));
  });

  it("an unchanged graph is an empty patch, even with fresh objects", () => {
    const base = largeGraph(30);
    const copy = JSON.parse(JSON.stringify(base)) as Graph;
    expect(diffGraphs(base, copy)).toEqual({ upsertNodes: [], removeNodes: [], upsertEdges: [], removeEdges: [] });
  });

  it("refuses a removal of a missing id and an id named twice", () => {
    const base = largeGraph(10);
    expect(applyGraphPatch(base, { upsertNodes: [], removeNodes: ["nope"], upsertEdges: [], removeEdges: [] })).toEqual({
      ok: false,
      message: 'The patch removes the node "nope", which the saved graph does not have.',
    });
    const twice = applyGraphPatch(base, { upsertNodes: [base.nodes[1]!], removeNodes: [base.nodes[1]!.id], upsertEdges: [], removeEdges: [] });
    expect(twice.ok).toBe(false);
  });
});

describe("node limit", () => {
  it("warns from 90 % of the limit and refuses beyond it", () => {
    const max = LIMITS.maxGraphNodes;
    expect(max).toBeGreaterThanOrEqual(5_000);
    expect(checkNodeLimit(10)).toEqual({ ok: true, warning: null });
    expect(checkNodeLimit(Math.ceil(max * 0.9) - 1)).toMatchObject({ ok: true, warning: expect.stringContaining(`of at most ${max.toLocaleString("en")} nodes`) });
    expect(checkNodeLimit(max)).toMatchObject({ ok: false, message: expect.stringContaining(`at most ${max.toLocaleString("en")} nodes`) });
    expect(nodeCountNote(100)).toBeNull();
    expect(nodeCountNote(max)).toBe(`${max.toLocaleString("en")} / ${max.toLocaleString("en")} nodes`);
  });

  it("the store refuses to add a node at the limit and says why", () => {
    const near = createEditorStore({ workflowId: "w", name: "n", graph: largeGraph(Math.ceil(LIMITS.maxGraphNodes * 0.9)), revision: 0 });
    expect(near.getState().addNode("template")).not.toBe("");
    expect(near.getState().notice).toContain(`of at most ${LIMITS.maxGraphNodes.toLocaleString("en")} nodes`);
    const graph = largeGraph(LIMITS.maxGraphNodes);
    const full = createEditorStore({ workflowId: "w", name: "n", graph, revision: 0 });
    expect(full.getState().addNode("template")).toBe("");
    expect(full.getState().nodes).toHaveLength(LIMITS.maxGraphNodes);
    expect(full.getState().notice).toContain("at most");
  });
});

describe("palette placement", () => {
  const view = { x: 0, y: 0, width: 1200, height: 800 };
  it("puts a new node right of the selected node when that is in view, below nodes already there", () => {
    const doc: FlowDoc = graphToFlow({ version: 1, nodes: [{ id: "a", type: "template", position: { x: 100, y: 100 }, data: {} }, { id: "b", type: "template", position: { x: 400, y: 100 }, data: {} }], edges: [] });
    doc.nodes[0]!.selected = true;
    const at = placeNewNode(doc, view);
    expect(at.x).toBe(400);
    expect(at.y).toBeGreaterThan(100 + 100);
  });

  it("without a selection (or with one out of view) uses the middle of the view", () => {
    const doc: FlowDoc = graphToFlow({ version: 1, nodes: [{ id: "a", type: "template", position: { x: 5_000, y: 5_000 }, data: {} }], edges: [] });
    doc.nodes[0]!.selected = true;
    expect(placeNewNode(doc, view)).toEqual({ x: 480, y: 345 });
  });
});

describe("structure of the document", () => {
  it("moves, selection and measuring keep the structure; a config edit or new edge changes it", () => {
    const doc = graphToFlow(largeGraph(20));
    const moved = { ...doc, nodes: doc.nodes.map((n, i) => (i === 3 ? { ...n, position: { x: 1, y: 2 }, selected: true, measured: { width: 240, height: 90 } } : n)) };
    expect(sameStructure(doc, moved)).toBe(true);
    const edited = { ...doc, nodes: doc.nodes.map((n, i) => (i === 3 ? { ...n, data: { ...n.data } } : n)) };
    expect(sameStructure(doc, edited)).toBe(false);
    expect(sameStructure(doc, { ...doc, edges: [...doc.edges] })).toBe(false);
  });
});

describe("run overlay", () => {
  it("nodes never reached show not run once the run failed, queued while it runs", () => {
    const overlay = startOverlay("r1");
    expect(nodeRunStatus({ ...overlay, status: "running" }, "x")).toBe("queued");
    expect(nodeRunStatus({ ...overlay, status: "failed" }, "x")).toBe("not_run");
  });
});

describe("Autosaver.touch", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("reads the graph once per pause however often it is touched, and sends the last saved graph as the base", async () => {
    const saves: { graph: Graph; base: Graph }[] = [];
    const saved = largeGraph(5);
    const saver = new Autosaver({
      saved,
      revision: 1,
      delayMs: 50,
      readDelayMs: 20,
      onState: () => undefined,
      save: async (graph, _revision, base): Promise<SaveResult> => {
        saves.push({ graph, base });
        return { ok: true, revision: 2 };
      },
    });
    let reads = 0;
    const next = largeGraph(6);
    for (let i = 0; i < 30; i++) saver.touch(() => (reads++, next));
    expect(reads).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(reads).toBe(1);
    expect(saves).toHaveLength(1);
    expect(saves[0]!.base).toBe(saved);
    saver.touch(() => (reads++, largeGraph(7)));
    expect(saver.hasUnsavedChanges).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(saves[1]!.base).toBe(next);
  });
});

describe("opening view of a large graph", () => {
  it("opens on the Start node near the left edge at a readable zoom, whatever the canvas width", () => {
    const doc = graphToFlow(largeGraph(1_000));
    const start = doc.nodes.find((n) => n.id === "start")!;
    for (const canvas of [{ width: 500, height: 600 }, { width: 650, height: 800 }, { width: 1800, height: 900 }, { width: 4000, height: 900 }]) {
      const view = openingViewport(doc.nodes, canvas)!;
      expect(view.zoom).toBeGreaterThanOrEqual(0.5);
      expect(view.zoom).toBeLessThanOrEqual(1);
      // Start's screen position: inside the canvas, near its left edge.
      const x = start.position.x * view.zoom + view.x;
      const y = start.position.y * view.zoom + view.y;
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(canvas.width / 2);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThan(canvas.height);
    }
    expect(openingViewport([], { width: 800, height: 600 })).toBeNull();
  });
});

describe("a refused save says why", () => {
  afterEach(() => vi.unstubAllGlobals());
  it("shows the schema's issues (the node limit), not only that the body is invalid", async () => {
    const issues = [{ path: "graph.nodes", message: "A workflow has at most 5,000 nodes." }];
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ error: { code: "invalid_request", message: "The request body is invalid.", issues } }), { status: 400 }));
    expect(await saveGraph("w1", largeGraph(3), 1)).toEqual({ ok: false, kind: "invalid", message: "The request body is invalid. graph.nodes: A workflow has at most 5,000 nodes." });
  });
});
