/**
 * The editor's keyboard shortcuts: one table for the key handler, the help dialog and the docs
 * (docs/editor.md). "Mod" is Cmd on a Mac and Ctrl elsewhere; both work everywhere.
 */

export type EditorCommand = "undo" | "redo" | "copy" | "cut" | "paste" | "duplicate" | "selectAll" | "find" | "help" | "deselect" | "delete";

export interface Shortcut {
  keys: string[];
  what: string;
}

export const SHORTCUTS: readonly { group: string; items: readonly Shortcut[] }[] = [
  {
    group: "Edit",
    items: [
      { keys: ["Mod+Z"], what: "Undo" },
      { keys: ["Mod+Shift+Z", "Ctrl+Y"], what: "Redo" },
      { keys: ["Mod+C"], what: "Copy the selected nodes" },
      { keys: ["Mod+X"], what: "Cut the selected nodes" },
      { keys: ["Mod+V"], what: "Paste (at the pointer when it is over the canvas)" },
      { keys: ["Mod+D"], what: "Duplicate the selected nodes" },
      { keys: ["Backspace", "Delete"], what: "Delete the selected nodes and connections" },
    ],
  },
  {
    group: "Select and find",
    items: [
      { keys: ["Click"], what: "Select a node" },
      { keys: ["Shift+Click", "Mod+Click"], what: "Add a node to the selection, or take it out" },
      { keys: ["Shift+Drag"], what: "Select the nodes in a box" },
      { keys: ["Mod+A"], what: "Select all nodes" },
      { keys: ["Escape"], what: "Clear the selection" },
      { keys: ["Mod+F"], what: "Find nodes by title, type, id or settings" },
      { keys: ["Enter", "↓"], what: "In Find: go to the next match" },
      { keys: ["Shift+Enter", "↑"], what: "In Find: go to the previous match" },
    ],
  },
  {
    group: "Canvas",
    items: [
      { keys: ["Right-click"], what: "Menu of the node, the selection or the canvas" },
      { keys: ["Drag"], what: "Move nodes; drag the background to pan" },
      { keys: ["Scroll"], what: "Zoom" },
      { keys: ["?"], what: "Show these shortcuts" },
    ],
  },
];

export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** The command a key press asks for, or null. Does not look at where the focus is (see isTypingTarget). */
export function commandForKey(e: KeyLike): EditorCommand | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (!mod) {
    if (e.key === "?" && !e.altKey) return "help";
    if (e.key === "Escape" && !e.shiftKey && !e.altKey) return "deselect";
    // Backspace is React Flow's own delete key; Delete is handled here, where it always works
    // (React Flow's handler missed it in Chromium: tests/e2e/editor-history.spec.ts).
    if (e.key === "Delete" && !e.shiftKey && !e.altKey) return "delete";
    return null;
  }
  if (e.altKey) return null;
  // Layout-independent fallback: the physical key when the layout gives another character.
  const letter = key.length === 1 && key >= "a" && key <= "z" ? key : e.code?.startsWith("Key") ? e.code.slice(3).toLowerCase() : key;
  if (letter === "z") return e.shiftKey ? "redo" : "undo";
  if (letter === "y" && e.ctrlKey && !e.shiftKey) return "redo";
  if (e.shiftKey) return null;
  switch (letter) {
    case "c":
      return "copy";
    case "x":
      return "cut";
    case "v":
      return "paste";
    case "d":
      return "duplicate";
    case "a":
      return "selectAll";
    case "f":
      return "find";
    default:
      return null;
  }
}

/** Shows "Mod" as the platform's key. */
export function keyLabel(keys: string, mac: boolean): string {
  return keys.replace(/Mod/g, mac ? "⌘" : "Ctrl");
}

const NON_TEXT_INPUTS = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"]);

interface ElementLike {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
  closest?(selector: string): unknown;
}

/**
 * True when keys typed at `target` belong to it: text fields, selects, rich editors (CodeMirror
 * and other contenteditable), and anything inside an open dialog or menu.
 */
export function isTypingTarget(target: unknown): boolean {
  const el = target as ElementLike | null;
  if (!el || typeof el !== "object") return false;
  const tag = el.tagName?.toUpperCase();
  if (tag === "INPUT" && !NON_TEXT_INPUTS.has((el.type ?? "text").toLowerCase())) return true;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (el.isContentEditable) return true;
  return Boolean(el.closest?.('[contenteditable="true"], .cm-editor, [role="dialog"], [role="menu"], [role="listbox"]'));
}
