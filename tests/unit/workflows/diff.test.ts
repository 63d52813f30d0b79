import { describe, expect, it } from "vitest";
import type { Graph } from "@/lib/engine/graph";
import { diffGraphs, diffHighlights, valueChanges } from "@/lib/workflows/diff";
import { edge, end, graph, llm, start, template } from "../engine/fixtures";

// Built once: the fixtures give each new node a new position.
const BASE = JSON.stringify(
  graph(
    [start("start"), llm("llm_1", "Say {{ start.question }}", { title: "Writer" }), end("end", { a: "{{ llm_1.text }}" })],
    [edge("start", "llm_1"), edge("llm_1", "end")],
  ),
);
const base = (): Graph => JSON.parse(BASE) as Graph;

describe("diffGraphs", () => {
  it("reports nothing for the same graph, and ignores pins", () => {
    const a = base();
    const b = base();
    b.nodes[1].pin = { output: { text: "pinned" } };
    expect(diffGraphs(a, b)).toMatchObject({ same: true, added: [], removed: [], changed: [], edgesAdded: [], edgesRemoved: [] });
  });

  it("finds added and removed nodes with their edges", () => {
    const a = base();
    const b = base();
    b.nodes.push(template("tpl", "T"));
    b.edges = b.edges.filter((e) => e.target !== "end");
    b.edges.push(edge("llm_1", "tpl"), edge("tpl", "end"));
    b.nodes = b.nodes.filter((n) => n.id !== "start");
    b.edges = b.edges.filter((e) => e.source !== "start");
    const diff = diffGraphs(a, b);
    expect(diff.added).toEqual([{ id: "tpl", type: "template", title: "tpl" }]);
    expect(diff.removed).toEqual([{ id: "start", type: "start", title: "start" }]);
    expect(diff.edgesAdded.map((e) => `${e.source}>${e.target}`).sort()).toEqual(["llm_1>tpl", "tpl>end"]);
    expect(diff.edgesRemoved.map((e) => `${e.source}>${e.target}`).sort()).toEqual(["llm_1>end", "start>llm_1"]);
    expect(diff.same).toBe(false);
  });

  it("compares edges by what they connect, not their ids", () => {
    const a = base();
    const b = base();
    b.edges = b.edges.map((e) => ({ ...e, id: `renamed_${e.id}` }));
    expect(diffGraphs(a, b).same).toBe(true);
    b.edges[0] = { ...b.edges[0], sourceHandle: "error" };
    const diff = diffGraphs(a, b);
    expect(diff.edgesAdded).toHaveLength(1);
    expect(diff.edgesRemoved).toHaveLength(1);
  });

  it("reports moves and settings changes field by field, down to the leaf", () => {
    const a = base();
    const b = base();
    const writer = b.nodes[1];
    writer.position = { x: writer.position.x + 40, y: 10 };
    writer.data.userPrompt = "Write {{ start.question }}";
    writer.data.settings = { retry: { maxAttempts: 3 } };
    b.nodes[2].disabled = true;
    b.nodes[2].data.outputs = [{ name: "a", value: "{{ llm_1.text }}!" }];
    const diff = diffGraphs(a, b);
    const w = diff.changed.find((c) => c.id === "llm_1")!;
    expect(w.title).toBe("Writer");
    expect(w.moved).toEqual({ from: a.nodes[1].position, to: writer.position });
    expect(w.fields).toEqual([
      { path: "data.settings", before: undefined, after: { retry: { maxAttempts: 3 } } },
      { path: "data.userPrompt", before: "Say {{ start.question }}", after: "Write {{ start.question }}" },
    ]);
    const e = diff.changed.find((c) => c.id === "end")!;
    expect(e.moved).toBeUndefined();
    expect(e.fields).toEqual([
      { path: "data.outputs.0.value", before: "{{ llm_1.text }}", after: "{{ llm_1.text }}!" },
      { path: "disabled", before: undefined, after: true },
    ]);
    expect(diffHighlights(diff).get("end")).toBe("changed");
  });

  it("a move alone is highlighted as moved; sub-pixel jitter is not a move", () => {
    const a = base();
    const b = base();
    b.nodes[0].position = { x: b.nodes[0].position.x + 0.2, y: 0 };
    expect(diffGraphs(a, b).same).toBe(true);
    b.nodes[0].position = { x: 999, y: 999 };
    const diff = diffGraphs(a, b);
    expect(diff.changed[0]).toMatchObject({ id: "start", fields: [] });
    expect(diffHighlights(diff).get("start")).toBe("moved");
  });

  it("reports variable changes", () => {
    const a = base();
    const b = base();
    b.variables = [{ name: "count", type: "number", default: 0 } as NonNullable<Graph["variables"]>[number]];
    expect(diffGraphs(a, b).variables).toHaveLength(1);
  });
});

describe("valueChanges", () => {
  it("compares arrays of scalars whole and arrays of objects item by item", () => {
    expect(valueChanges({ tags: ["a", "b"] }, { tags: ["a", "c"] }, "")).toEqual([{ path: "tags", before: ["a", "b"], after: ["a", "c"] }]);
    expect(valueChanges([{ n: 1 }, { n: 2 }], [{ n: 1 }, { n: 3 }], "list")).toEqual([{ path: "list.1.n", before: 2, after: 3 }]);
    expect(valueChanges([{ n: 1 }], [{ n: 1 }, { n: 2 }], "list")).toHaveLength(1);
  });
});
