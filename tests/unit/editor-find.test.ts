import { describe, expect, it } from "vitest";
import { findNodes, outline } from "@/lib/editor/find";
import { graphToFlow } from "@/lib/editor/flow";
import { selectedNodeIds, selectNodes } from "@/lib/editor/selection";
import { commandForKey, isTypingTarget, type KeyLike } from "@/lib/editor/shortcuts";
import { nodeRegistry } from "@/lib/nodes/registry";

const doc = graphToFlow({
  version: 1,
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: nodeRegistry.start!.defaultConfig() as Record<string, unknown> },
    { id: "loop", type: "loop", position: { x: 300, y: 0 }, width: 560, height: 300, data: { items: "{{ start.items }}", parallelism: 1, output: "", breakCondition: "", onItemError: "fail" } },
    { id: "http", type: "http", parentId: "loop", position: { x: 20, y: 60 }, data: { title: "Fetch page", method: "GET", url: "https://example.test/{{ loop.item }}" } },
    { id: "end", type: "end", position: { x: 900, y: 0 }, data: { outputs: [{ name: "pages", value: "{{ loop.results }}" }] } },
  ],
  edges: [],
});

describe("find and outline", () => {
  it("lists every node, each loop followed by its body", () => {
    expect(outline(doc, nodeRegistry).map((e) => [e.id, e.depth, e.title])).toEqual([
      ["start", 0, "Start"],
      ["loop", 0, "Loop"],
      ["http", 1, "Fetch page"],
      ["end", 0, nodeRegistry.end!.label],
    ]);
  });

  it("matches title, type, id and settings text, case-insensitively", () => {
    const ids = (query: string) => findNodes(doc, query, nodeRegistry).map((e) => e.id);
    expect(ids("fetch")).toEqual(["http"]);
    expect(ids("LOOP")).toEqual(["loop", "http", "end"]);
    expect(ids("example.test")).toEqual(["http"]);
    expect(ids("pages")).toEqual(["end"]);
    expect(ids("nothing like this")).toEqual([]);
    expect(ids("  ")).toHaveLength(4);
  });
});

const key = (key: string, mods: Partial<KeyLike> = {}): KeyLike => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe("shortcuts", () => {
  it("maps keys to commands with Ctrl or Cmd", () => {
    expect(commandForKey(key("z", { ctrlKey: true }))).toBe("undo");
    expect(commandForKey(key("z", { metaKey: true }))).toBe("undo");
    expect(commandForKey(key("Z", { metaKey: true, shiftKey: true }))).toBe("redo");
    expect(commandForKey(key("y", { ctrlKey: true }))).toBe("redo");
    expect(commandForKey(key("c", { ctrlKey: true }))).toBe("copy");
    expect(commandForKey(key("v", { metaKey: true }))).toBe("paste");
    expect(commandForKey(key("d", { ctrlKey: true }))).toBe("duplicate");
    expect(commandForKey(key("f", { ctrlKey: true }))).toBe("find");
    expect(commandForKey(key("?", { shiftKey: true }))).toBe("help");
    // Another layout: the physical key decides.
    expect(commandForKey({ ...key("я", { ctrlKey: true }), code: "KeyZ" })).toBe("undo");
    expect(commandForKey(key("z"))).toBeNull();
    expect(commandForKey(key("c", { ctrlKey: true, altKey: true }))).toBeNull();
  });

  it("does not fire while typing in a field, a rich editor or a dialog", () => {
    const el = (tagName: string, extra: Record<string, unknown> = {}) => ({ tagName, closest: () => null, ...extra });
    expect(isTypingTarget(el("INPUT"))).toBe(true);
    expect(isTypingTarget(el("INPUT", { type: "checkbox" }))).toBe(false);
    expect(isTypingTarget(el("TEXTAREA"))).toBe(true);
    expect(isTypingTarget(el("DIV", { isContentEditable: true }))).toBe(true);
    expect(isTypingTarget(el("DIV", { closest: (s: string) => (s.includes(".cm-editor") ? {} : null) }))).toBe(true);
    expect(isTypingTarget(el("DIV"))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});

describe("selection", () => {
  it("selects exactly the given nodes and keeps the document when nothing changes", () => {
    const all = selectNodes(doc, ["start", "end"]);
    expect(selectedNodeIds(all)).toEqual(["start", "end"]);
    expect(selectNodes(all, ["end", "start"]).nodes).toBe(all.nodes);
    expect(selectedNodeIds(selectNodes(all, []))).toEqual([]);
  });
});
