import { describe, expect, it } from "vitest";
import { DocHistory } from "@/lib/editor/doc-history";
import { UndoStack } from "@/lib/editor/history";
import { copyNodes } from "@/lib/editor/clipboard";
import { createEditorStore, currentGraph } from "@/lib/editor/store";

describe("undo stack", () => {
  it("undoes and redoes in order, moving the current state across", () => {
    const stack = new UndoStack<string>();
    stack.record("a", { at: 0 });
    stack.record("b", { at: 5_000 });
    expect(stack.canUndo).toBe(true);
    expect(stack.canRedo).toBe(false);
    expect(stack.undo("c")).toBe("b");
    expect(stack.undo("b")).toBe("a");
    expect(stack.undo("a")).toBeUndefined();
    expect(stack.canRedo).toBe(true);
    expect(stack.redo("a")).toBe("b");
    expect(stack.redo("b")).toBe("c");
    expect(stack.redo("c")).toBeUndefined();
    expect(stack.undo("c")).toBe("b");
  });

  it("a new change clears redo", () => {
    const stack = new UndoStack<string>();
    stack.record("a", { at: 0 });
    expect(stack.undo("b")).toBe("a");
    stack.record("a", { at: 10 });
    expect(stack.canRedo).toBe(false);
    expect(stack.redo("x")).toBeUndefined();
  });

  it("coalesces same-key changes within the window and keeps the state before the first", () => {
    const stack = new UndoStack<string>({ coalesceMs: 1_000 });
    stack.record("", { key: "config:llm:prompt", at: 0 });
    stack.record("H", { key: "config:llm:prompt", at: 400 });
    stack.record("He", { key: "config:llm:prompt", at: 1_300 });
    expect(stack.size).toBe(1);
    // A pause longer than the window starts a new step; so does another field.
    stack.record("Hel", { key: "config:llm:prompt", at: 2_400 });
    stack.record("Hello", { key: "config:llm:title", at: 2_500 });
    expect(stack.size).toBe(3);
    expect(stack.undo("Hello!")).toBe("Hello");
    expect(stack.undo("Hello")).toBe("Hel");
    expect(stack.undo("Hel")).toBe("");
  });

  it("changes without a key never coalesce, unless merged", () => {
    const stack = new UndoStack<number>();
    stack.record(1, { at: 0 });
    stack.record(2, { at: 1 });
    stack.record(3, { at: 2, merge: true });
    expect(stack.size).toBe(2);
    expect(stack.undo(4)).toBe(2);
  });

  it("after an undo the next change is its own step", () => {
    const stack = new UndoStack<string>();
    stack.record("a", { key: "k", at: 0 });
    stack.record("ab", { key: "k", at: 10 });
    expect(stack.undo("abc")).toBe("a");
    stack.record("a", { key: "k", at: 20 });
    stack.record("ax", { key: "k", at: 30 });
    expect(stack.size).toBe(1);
    stack.seal();
    stack.record("axy", { key: "k", at: 40 });
    expect(stack.size).toBe(2);
  });

  it("keeps at most `limit` entries, dropping the oldest", () => {
    const stack = new UndoStack<number>({ limit: 3 });
    for (let i = 0; i < 10; i++) stack.record(i, { at: i * 10_000 });
    expect(stack.size).toBe(3);
    expect([stack.undo(10), stack.undo(9), stack.undo(8), stack.undo(7)]).toEqual([9, 8, 7, undefined]);
  });
});

/** A store with its history, a controllable clock and explicit ends of JavaScript tasks. */
function setup() {
  const store = createEditorStore({ workflowId: "wf_1", name: "Test", graph: { version: 1, nodes: [], edges: [] }, revision: 0 });
  let now = 0;
  const pending: (() => void)[] = [];
  const history = new DocHistory(store, { now: () => now, afterTask: (callback) => pending.push(callback) });
  const endTask = (advanceMs = 5_000) => {
    pending.splice(0).forEach((callback) => callback());
    now += advanceMs;
  };
  return { store, history, endTask, graph: () => currentGraph(store.getState()), tick: (ms: number) => (now += ms) };
}

/** Start → LLM → End with an edited prompt, each step in its own task. */
function built() {
  const t = setup();
  const s = () => t.store.getState();
  s().addNode("start", { x: 0, y: 0 });
  t.endTask();
  s().addNode("llm", { x: 300, y: 0 });
  t.endTask();
  s().addNode("end", { x: 600, y: 0 });
  t.endTask();
  s().connect({ source: "start", sourceHandle: "out", target: "llm", targetHandle: null });
  t.endTask();
  s().connect({ source: "llm", sourceHandle: "out", target: "end", targetHandle: null });
  t.endTask();
  const llm = s().nodes.find((n) => n.id === "llm")!;
  s().updateConfig("llm", { ...llm.data.config, userPrompt: "Answer {{ start.question }}" });
  t.endTask();
  return t;
}

describe("editor history", () => {
  it("undoes a delete exactly (node, settings, edges) and redoes it", () => {
    const t = built();
    const before = t.graph();
    t.store.getState().removeNodes(["llm"]);
    t.endTask();
    expect(t.graph().nodes.map((n) => n.id)).toEqual(["start", "end"]);
    expect(t.graph().edges).toEqual([]);
    expect(t.history.undo()).toBe(true);
    expect(t.graph()).toEqual(before);
    expect(t.history.redo()).toBe(true);
    expect(t.graph().nodes.map((n) => n.id)).toEqual(["start", "end"]);
    expect(t.history.undo()).toBe(true);
    expect(t.graph()).toEqual(before);
  });

  it("steps back through add, connect and settings one at a time", () => {
    const t = built();
    const undoOnce = () => (t.history.undo(), t.graph());
    expect((undoOnce().nodes.find((n) => n.id === "llm")!.data as { userPrompt: string }).userPrompt).not.toContain("start.question");
    expect(undoOnce().edges).toHaveLength(1);
    expect(undoOnce().edges).toHaveLength(0);
    expect(undoOnce().nodes).toHaveLength(2);
    expect(undoOnce().nodes).toHaveLength(1);
    expect(undoOnce().nodes).toHaveLength(0);
    expect(t.history.undo()).toBe(false);
  });

  it("makes one step of a whole drag, not one per pixel", () => {
    const t = built();
    const move = (x: number, dragging: boolean) => {
      t.store.getState().onNodesChange([{ type: "position", id: "llm", position: { x, y: 0 }, dragging }]);
      t.endTask(16);
    };
    move(310, true);
    move(350, true);
    move(420, true);
    move(420, false);
    expect(t.graph().nodes.find((n) => n.id === "llm")!.position.x).toBe(420);
    t.history.undo();
    expect(t.graph().nodes.find((n) => n.id === "llm")!.position.x).toBe(300);
    t.history.redo();
    expect(t.graph().nodes.find((n) => n.id === "llm")!.position.x).toBe(420);
  });

  it("groups typing in one field, but not a pause or another field", () => {
    const t = built();
    const type = (field: string, value: string, gapMs: number) => {
      const node = t.store.getState().nodes.find((n) => n.id === "llm")!;
      t.store.getState().updateConfig("llm", { ...node.data.config, [field]: value });
      t.endTask(gapMs);
    };
    const prompt = () => (t.graph().nodes.find((n) => n.id === "llm")!.data as Record<string, unknown>).userPrompt;
    type("userPrompt", "H", 200);
    type("userPrompt", "Hi", 200);
    type("userPrompt", "Hi!", 3_000);
    type("userPrompt", "Hi! you", 200);
    t.store.getState().setTitle("llm", "Greeter");
    t.endTask();
    t.history.undo();
    expect(prompt()).toBe("Hi! you");
    t.history.undo();
    expect(prompt()).toBe("Hi!");
    t.history.undo();
    expect(prompt()).toBe("Answer {{ start.question }}");
  });

  it("groups by the field that changed even when a panel hands back a freshly parsed config", () => {
    const t = built();
    const edit = (patch: Record<string, unknown>) => {
      const node = t.store.getState().nodes.find((n) => n.id === "end")!;
      // Like panelConfig: every nested object is new, only `patch` differs in value.
      t.store.getState().updateConfig("end", { ...structuredClone(node.data.config), ...patch });
      t.endTask(100);
    };
    edit({ outputs: [{ name: "result", value: "{{ llm" }] });
    edit({ outputs: [{ name: "result", value: "{{ llm.text }}" }] });
    t.store.getState().setTitle("end", "Answer");
    t.endTask(100);
    t.history.undo();
    expect(t.store.getState().nodes.find((n) => n.id === "end")!.data.config).toEqual({ outputs: [{ name: "result", value: "{{ llm.text }}" }] });
    t.history.undo();
    expect(t.store.getState().nodes.find((n) => n.id === "end")!.data.config).toEqual({ outputs: [{ name: "result", value: "" }] });
  });

  it("changes in one task are one step (React Flow removes edges, then nodes)", () => {
    const t = built();
    t.store.getState().onEdgesChange([{ type: "remove", id: t.store.getState().edges[0].id }]);
    t.store.getState().onNodesChange([{ type: "remove", id: "llm" }]);
    t.endTask();
    t.history.undo();
    expect(t.graph().nodes).toHaveLength(3);
    expect(t.graph().edges).toHaveLength(2);
  });

  it("does not record selection or measuring, and records disconnect, layout and paste", () => {
    const t = built();
    t.store.getState().selectNode("llm");
    t.store.getState().onNodesChange([{ type: "dimensions", id: "llm", dimensions: { width: 240, height: 90 } }]);
    t.endTask();
    t.store.getState().onEdgesChange([{ type: "remove", id: t.store.getState().edges[1].id }]);
    t.endTask();
    t.store.getState().setPositions(new Map([["end", { x: 900, y: 200 }]]));
    t.endTask();
    const clip = copyNodes(t.store.getState(), ["llm"])!;
    expect(t.store.getState().pasteNodes(clip)).toEqual(["llm_2"]);
    t.endTask();
    t.history.undo();
    expect(t.graph().nodes.map((n) => n.id)).toEqual(["start", "llm", "end"]);
    t.history.undo();
    expect(t.graph().nodes.find((n) => n.id === "end")!.position).toEqual({ x: 600, y: 0 });
    t.history.undo();
    expect(t.graph().edges).toHaveLength(2);
    // Next: the settings edit from built(), not the selection.
    t.history.undo();
    expect(JSON.stringify(t.graph())).not.toContain("start.question");
  });

  it("undo is an ordinary store change (autosave sees it) and tells listeners what is possible", () => {
    const t = built();
    const seen: boolean[] = [];
    t.history.subscribe(() => seen.push(t.history.getState().canRedo));
    let changes = 0;
    t.store.subscribe((next, previous) => {
      if (next.nodes !== previous.nodes) changes++;
    });
    t.history.undo();
    expect(changes).toBe(1);
    expect(t.history.getState()).toEqual({ canUndo: true, canRedo: true });
    expect(seen).toEqual([true]);
    // The restored state is not recorded as a new change: redo is still there.
    t.endTask();
    expect(t.history.redo()).toBe(true);
  });

  it("records workflow variables", () => {
    const t = setup();
    t.store.getState().setVariables([{ name: "count", type: "number" }]);
    t.endTask();
    t.history.undo();
    expect(t.store.getState().variables).toEqual([]);
  });
});
