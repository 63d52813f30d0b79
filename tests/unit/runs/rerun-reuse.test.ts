import { describe, expect, it } from "vitest";
import type { Graph } from "@/lib/engine/graph";
import { reusableNodes } from "@/lib/runs/rerun";

const n = (id: string, data: Record<string, unknown> = {}, type = "template") => ({ id, type, position: { x: 0, y: 0 }, data });
const e = (source: string, target: string) => ({ id: `${source}-${target}`, source, target });

// start → cond → (yes | no) → join → tail
const base: Graph = {
  version: 1,
  nodes: [n("start"), n("cond"), n("yes", { t: 1 }), n("no"), n("join"), n("tail")],
  edges: [e("start", "cond"), e("cond", "yes"), e("cond", "no"), e("yes", "join"), e("no", "join"), e("join", "tail")],
};
const statuses = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe("reusableNodes", () => {
  it("resume: reuses everything before the failed node; a skipped branch does not taint the join", () => {
    const reuse = reusableNodes({
      graph: base,
      sourceGraph: base,
      sourceStatus: statuses({ start: "succeeded", cond: "succeeded", yes: "succeeded", no: "skipped", join: "succeeded", tail: "failed" }),
    });
    expect([...reuse].sort()).toEqual(["cond", "join", "start", "yes"]);
  });

  it("a node whose configuration changed executes again with everything after it", () => {
    const changed: Graph = { ...base, nodes: base.nodes.map((x) => (x.id === "yes" ? n("yes", { t: 2 }) : x)) };
    const reuse = reusableNodes({
      graph: changed,
      sourceGraph: base,
      sourceStatus: statuses({ start: "succeeded", cond: "succeeded", yes: "succeeded", no: "skipped", join: "succeeded", tail: "failed" }),
    });
    expect([...reuse].sort()).toEqual(["cond", "start"]);
  });

  it("config key order does not count as a change; a changed type does", () => {
    const reordered: Graph = { ...base, nodes: base.nodes.map((x) => (x.id === "yes" ? { ...x, data: { t: 1 } } : x)) };
    const all = statuses({ start: "succeeded", cond: "succeeded", yes: "succeeded", no: "skipped", join: "succeeded", tail: "succeeded" });
    expect(reusableNodes({ graph: reordered, sourceGraph: base, sourceStatus: all }).has("yes")).toBe(true);
    const retyped: Graph = { ...base, nodes: base.nodes.map((x) => (x.id === "cond" ? n("cond", {}, "switch") : x)) };
    expect([...reusableNodes({ graph: retyped, sourceGraph: base, sourceStatus: all })]).toEqual(["start"]);
  });

  it("re-run from a node executes it and its descendants only", () => {
    const all = statuses({ start: "succeeded", cond: "succeeded", yes: "succeeded", no: "skipped", join: "succeeded", tail: "succeeded" });
    expect([...reusableNodes({ graph: base, sourceGraph: base, sourceStatus: all, fromNodeId: "join" })].sort()).toEqual(["cond", "start", "yes"]);
  });

  it("a loop body node executing again re-runs its loop (and the loop re-runs its body)", () => {
    const loop: Graph = {
      version: 1,
      nodes: [n("start"), n("loop", {}, "loop"), { ...n("body"), parentId: "loop" } as Graph["nodes"][number], n("after")],
      edges: [e("start", "loop"), e("loop", "after")],
    };
    const reuse = reusableNodes({
      graph: loop,
      sourceGraph: loop,
      sourceStatus: statuses({ start: "succeeded", loop: "succeeded", body: "failed", after: "succeeded" }),
    });
    expect([...reuse]).toEqual(["start"]);
  });
});
