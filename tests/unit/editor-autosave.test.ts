import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Graph } from "@/lib/engine/graph";
import { Autosaver, type SaveResult, type SaveState } from "@/lib/editor/autosave";

const graphWith = (n: number): Graph => ({
  version: 1,
  nodes: Array.from({ length: n }, (_, i) => ({ id: `t_${i}`, type: "template", position: { x: i, y: 0 }, data: { template: "x" } })),
  edges: [],
});

interface Call {
  graph: Graph;
  revision: number;
  resolve: (result: SaveResult) => void;
}

function harness(options: { delayMs?: number } = {}) {
  const calls: Call[] = [];
  const states: SaveState[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const saver = new Autosaver({
    saved: graphWith(0),
    revision: 3,
    delayMs: options.delayMs ?? 600,
    retryMs: 5_000,
    onState: (state) => states.push(state),
    save: (graph, revision) =>
      new Promise<SaveResult>((resolve) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        calls.push({
          graph,
          revision,
          resolve: (result) => {
            inFlight--;
            resolve(result);
          },
        });
      }),
  });
  return { saver, calls, states, maxInFlight: () => maxInFlight };
}

describe("Autosaver", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("debounces edits into one save with the latest graph and the known revision", async () => {
    const h = harness();
    h.saver.update(graphWith(1));
    await vi.advanceTimersByTimeAsync(300);
    h.saver.update(graphWith(2));
    await vi.advanceTimersByTimeAsync(300);
    h.saver.update(graphWith(3));
    expect(h.saver.current.status).toBe("dirty");
    expect(h.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(600);
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0].graph.nodes).toHaveLength(3);
    expect(h.calls[0].revision).toBe(3);
    expect(h.saver.current.status).toBe("saving");
    h.calls[0].resolve({ ok: true, revision: 4 });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.saver.current).toEqual({ status: "saved", revision: 4 });
    expect(h.saver.hasUnsavedChanges).toBe(false);
  });

  it("never has two saves in flight, and the latest state wins with the new revision", async () => {
    const h = harness();
    h.saver.update(graphWith(1));
    await vi.advanceTimersByTimeAsync(600);
    expect(h.calls).toHaveLength(1);
    // Edits while the first save is in flight.
    h.saver.update(graphWith(2));
    await vi.advanceTimersByTimeAsync(600);
    h.saver.update(graphWith(5));
    await vi.advanceTimersByTimeAsync(600);
    expect(h.calls).toHaveLength(1);
    expect(h.saver.current.status).toBe("saving");
    h.calls[0].resolve({ ok: true, revision: 4 });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.calls).toHaveLength(2);
    expect(h.calls[1].graph.nodes).toHaveLength(5);
    expect(h.calls[1].revision).toBe(4);
    h.calls[1].resolve({ ok: true, revision: 5 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.calls).toHaveLength(2);
    expect(h.maxInFlight()).toBe(1);
    expect(h.saver.current).toEqual({ status: "saved", revision: 5 });
  });

  it("does not save when the graph returns to the saved state or does not change", async () => {
    const h = harness();
    h.saver.update(graphWith(0));
    h.saver.update(graphWith(1));
    h.saver.update(graphWith(0));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(h.calls).toHaveLength(0);
    expect(h.saver.current.status).toBe("saved");
  });

  it("stops on a conflict and reports it", async () => {
    const h = harness();
    h.saver.update(graphWith(1));
    await vi.advanceTimersByTimeAsync(600);
    h.calls[0].resolve({ ok: false, kind: "conflict", revision: 9, message: "Someone else saved." });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.saver.current.status).toBe("conflict");
    expect(h.saver.current.message).toBe("Someone else saved.");
    h.saver.update(graphWith(2));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.calls).toHaveLength(1);
    expect(h.saver.current.status).toBe("conflict");
    expect(h.saver.hasUnsavedChanges).toBe(true);
  });

  it("retries after a transient error, but not after an invalid request until the graph changes", async () => {
    const h = harness();
    h.saver.update(graphWith(1));
    await vi.advanceTimersByTimeAsync(600);
    h.calls[0].resolve({ ok: false, kind: "error", message: "Cannot reach the server." });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.saver.current).toMatchObject({ status: "error", message: "Cannot reach the server." });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.calls).toHaveLength(2);
    h.calls[1].resolve({ ok: false, kind: "invalid", message: "nodes.0.id: bad id" });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.calls).toHaveLength(2);
    expect(h.saver.current.status).toBe("error");
    h.saver.update(graphWith(2));
    await vi.advanceTimersByTimeAsync(600);
    expect(h.calls).toHaveLength(3);
    h.calls[2].resolve({ ok: true, revision: 4 });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.saver.current.status).toBe("saved");
  });

  it("treats a thrown save as a transient error", async () => {
    const states: SaveState[] = [];
    const saver = new Autosaver({
      saved: graphWith(0),
      revision: 0,
      onState: (s) => states.push(s),
      save: () => Promise.reject(new Error("boom")),
    });
    saver.update(graphWith(1));
    await vi.advanceTimersByTimeAsync(600);
    expect(saver.current).toMatchObject({ status: "error", message: "boom" });
    saver.dispose();
  });

  it("flush saves at once", async () => {
    const h = harness();
    h.saver.update(graphWith(1));
    void h.saver.flush();
    expect(h.calls).toHaveLength(1);
    h.calls[0].resolve({ ok: true, revision: 4 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.calls).toHaveLength(1);
    expect(h.states.map((s) => s.status)).toEqual(["dirty", "saving", "saved"]);
  });
});

describe("Autosaver.settle", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("waits for the save in flight, then saves the newer graph, and reports success", async () => {
    const h = harness();
    h.saver.update(graphWith(1));
    await vi.advanceTimersByTimeAsync(600);
    h.saver.update(graphWith(2));
    let settled: boolean | null = null;
    void h.saver.settle().then((ok) => (settled = ok));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBeNull();
    h.calls[0].resolve({ ok: true, revision: 4 });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.calls).toHaveLength(2);
    expect(h.calls[1].graph.nodes).toHaveLength(2);
    h.calls[1].resolve({ ok: true, revision: 5 });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(true);
    expect(h.maxInFlight()).toBe(1);
  });

  it("reports failure when the graph could not be saved", async () => {
    const h = harness();
    h.saver.update(graphWith(1));
    let settled: boolean | null = null;
    void h.saver.settle().then((ok) => (settled = ok));
    await vi.advanceTimersByTimeAsync(0);
    h.calls[0].resolve({ ok: false, kind: "invalid", message: "bad" });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
  });

  it("sends a graph edited during a failing save right after the failure", async () => {
    const h = harness();
    h.saver.update(graphWith(1));
    await vi.advanceTimersByTimeAsync(600);
    h.saver.update(graphWith(2));
    await vi.advanceTimersByTimeAsync(600);
    h.calls[0].resolve({ ok: false, kind: "invalid", message: "bad" });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.calls).toHaveLength(2);
    expect(h.calls[1].graph.nodes).toHaveLength(2);
  });
});
