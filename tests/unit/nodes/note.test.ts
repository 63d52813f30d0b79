import { describe, expect, it } from "vitest";
import { executeRun } from "@/lib/engine/run-engine";
import { executableGraph, schedule } from "@/lib/engine/scheduler";
import { validateGraph } from "@/lib/engine/validate";
import { nodeSummary } from "@/lib/editor/summary";
import { executorRegistry } from "@/lib/nodes/executors";
import { nodeRegistry } from "@/lib/nodes/registry";
import { MemoryEvents, MemoryStepStore, edge, end, fakeServices, graph, node, start, template } from "../engine/fixtures";

const isExecutable = (type: string) => nodeRegistry[type]?.executable !== false;

const g = graph(
  [
    start("start", [{ name: "name", type: "string" }]),
    node("note", "note", { text: "# Why\nGreets the user." }),
    template("hello", "Hello {{ start.name }}"),
    end("end", { text: "{{ hello.text }}" }),
  ],
  [edge("start", "hello"), edge("hello", "end")],
);

describe("note node", () => {
  it("is not reported as unconnected or unreachable", () => {
    expect(validateGraph(g, nodeRegistry)).toEqual([]);
  });

  it("cannot be wired: it takes no input and has no output", () => {
    const wired = { ...g, edges: [...g.edges, edge("start", "note"), edge("note", "end")] };
    const codes = validateGraph(wired, nodeRegistry).map((p) => p.code);
    expect(codes).toContain("edge_into_start");
    expect(codes).toContain("unknown_handle");
  });

  it("is dropped before scheduling: never ready, never a step", async () => {
    expect(executableGraph(g, isExecutable).nodes.map((n) => n.id)).toEqual(["start", "hello", "end"]);
    expect(schedule(executableGraph(g, isExecutable), {}).ready).toEqual(["start"]);
    const store = new MemoryStepStore();
    const events = new MemoryEvents();
    const outcome = await executeRun({
      runId: "run_1",
      graph: g,
      inputs: { name: "Ada" },
      registry: nodeRegistry,
      executors: executorRegistry,
      store,
      events,
      services: fakeServices().services,
      signal: new AbortController().signal,
    });
    expect(outcome).toMatchObject({ status: "succeeded", output: { text: "Hello Ada" } });
    expect(store.status("note")).toBeUndefined();
    expect(events.steps().some((s) => s.startsWith("note:"))).toBe(false);
  });

  it("shows its text on the canvas", () => {
    expect(nodeSummary("note", { text: "# Why\n\nGreets the user." })).toEqual(["# Why", "Greets the user."]);
  });
});
