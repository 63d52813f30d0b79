import type { WorkflowVariable } from "@/lib/engine/variables";
import type { WeftEdge, WeftNode } from "./flow";
import { UndoStack, type HistoryLimits } from "./history";
import type { EditorState, EditorStore } from "./store";

/**
 * Undo/redo for one editor store. It watches the store rather than each action, so every way the
 * document changes (canvas, inspector, auto layout, paste, a restored version) is undoable without
 * each action knowing about history. Undo writes the older document back into the store, which is
 * an ordinary change: autosave saves it like any other.
 *
 * What counts as one step:
 * - a drag or resize is one step (nothing is recorded while a node is being dragged or resized);
 * - edits of the same config field of one node less than ~1 s apart are one step (typing);
 * - changes made in the same JavaScript task are one step (React Flow deletes the edges and
 *   then the nodes of a selection in two calls; a drop both moves and re-parents a node).
 * Selection, measuring and run-overlay changes are not steps.
 */

export interface DocSnapshot {
  nodes: WeftNode[];
  edges: WeftEdge[];
  variables: WorkflowVariable[];
}

export interface HistoryState {
  canUndo: boolean;
  canRedo: boolean;
}

export interface DocHistoryOptions extends HistoryLimits {
  now?: () => number;
  /** Runs a callback after the current task; grouping of one task's changes. */
  afterTask?: (callback: () => void) => void;
}

const snapshotOf = (state: Pick<EditorState, "nodes" | "edges" | "variables">): DocSnapshot => ({
  nodes: state.nodes,
  edges: state.edges,
  variables: state.variables,
});

function sameNodeContent(a: WeftNode, b: WeftNode): boolean {
  return (
    a === b ||
    (a.id === b.id &&
      a.data === b.data &&
      a.position.x === b.position.x &&
      a.position.y === b.position.y &&
      a.parentId === b.parentId &&
      a.width === b.width &&
      a.height === b.height)
  );
}

function sameEdgeContent(a: WeftEdge, b: WeftEdge): boolean {
  return (
    a === b ||
    (a.id === b.id && a.source === b.source && a.target === b.target && (a.sourceHandle ?? null) === (b.sourceHandle ?? null) && (a.targetHandle ?? null) === (b.targetHandle ?? null))
  );
}

function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
  return true;
}

/** True when the saved graph would be the same (selection, measured sizes and drag flags aside). */
export function sameDocContent(a: DocSnapshot, b: DocSnapshot): boolean {
  return a.variables === b.variables && sameList(a.nodes, b.nodes, sameNodeContent) && sameList(a.edges, b.edges, sameEdgeContent);
}

/** A node is being dragged or resized: the gesture becomes one step when it ends. */
export const midGesture = (nodes: readonly WeftNode[]): boolean => nodes.some((n) => n.dragging || n.resizing);

/**
 * The coalescing key of a change: same-field config edits of one node, a container's size, the
 * variables. Anything else (structure, moves) is its own step.
 */
export function changeKey(before: DocSnapshot, after: DocSnapshot): string | null {
  if (before.nodes.length !== after.nodes.length || !sameList(before.edges, after.edges, sameEdgeContent)) return null;
  const changed: [WeftNode, WeftNode][] = [];
  for (let i = 0; i < before.nodes.length; i++) {
    if (sameNodeContent(before.nodes[i], after.nodes[i])) continue;
    changed.push([before.nodes[i], after.nodes[i]]);
    if (changed.length > 1) return null;
  }
  if (changed.length === 0) return before.variables !== after.variables ? "variables" : null;
  if (before.variables !== after.variables) return null;
  const [a, b] = changed[0];
  const moved = a.position.x !== b.position.x || a.position.y !== b.position.y || a.parentId !== b.parentId;
  if (a.id !== b.id || moved) return null;
  if (a.data === b.data) return `size:${a.id}`;
  if (a.data.kind !== b.data.kind) return null;
  const keys = new Set([...Object.keys(a.data.config), ...Object.keys(b.data.config)]);
  // Panels hand back freshly parsed configs (new nested objects every time): compare those by value.
  const differs = (x: unknown, y: unknown) => x !== y && (typeof x !== "object" || typeof y !== "object" || JSON.stringify(x) !== JSON.stringify(y));
  const fields = [...keys].filter((k) => differs(a.data.config[k], b.data.config[k])).sort();
  return `config:${a.id}:${fields.join(",")}`;
}

export class DocHistory {
  private readonly stack: UndoStack<DocSnapshot>;
  private readonly now: () => number;
  private readonly afterTask: (callback: () => void) => void;
  /** The document as it was after the last recorded change (never mid-drag). */
  private stable: DocSnapshot;
  private applying = false;
  private inTask = false;
  private listeners = new Set<() => void>();
  private state: HistoryState = { canUndo: false, canRedo: false };
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: EditorStore,
    options: DocHistoryOptions = {},
  ) {
    this.stack = new UndoStack(options);
    this.now = options.now ?? Date.now;
    // Called as a plain function: browsers throw "Illegal invocation" for queueMicrotask with another `this`.
    this.afterTask = options.afterTask ?? ((callback) => queueMicrotask(callback));
    this.stable = snapshotOf(store.getState());
    this.unsubscribe = store.subscribe((next, previous) => {
      if (next.nodes === previous.nodes && next.edges === previous.edges && next.variables === previous.variables) return;
      this.observe(snapshotOf(next));
    });
  }

  private observe(next: DocSnapshot): void {
    if (this.applying || midGesture(next.nodes)) return;
    const before = this.stable;
    this.stable = next;
    if (sameDocContent(before, next)) return;
    this.stack.record(before, { key: changeKey(before, next), at: this.now(), merge: this.inTask });
    if (!this.inTask) {
      this.inTask = true;
      this.afterTask(() => {
        this.inTask = false;
      });
    }
    this.publish();
  }

  private restore(snapshot: DocSnapshot): void {
    this.applying = true;
    try {
      this.store.setState({ nodes: snapshot.nodes, edges: snapshot.edges, variables: snapshot.variables });
    } finally {
      this.applying = false;
    }
    this.stable = snapshot;
    this.inTask = false;
    this.publish();
  }

  undo(): boolean {
    const previous = this.stack.undo(snapshotOf(this.store.getState()));
    if (!previous) return false;
    this.restore(previous);
    return true;
  }

  redo(): boolean {
    const next = this.stack.redo(snapshotOf(this.store.getState()));
    if (!next) return false;
    this.restore(next);
    return true;
  }

  /** The next change starts a new step (e.g. the user left a field). */
  seal(): void {
    this.stack.seal();
  }

  /** For useSyncExternalStore: the same object until canUndo/canRedo change. */
  getState = (): HistoryState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private publish(): void {
    const { canUndo, canRedo } = this.stack;
    if (canUndo === this.state.canUndo && canRedo === this.state.canRedo) return;
    this.state = { canUndo, canRedo };
    for (const listener of this.listeners) listener();
  }

  dispose(): void {
    this.unsubscribe();
    this.listeners.clear();
  }
}

/** One history per editor store (one per open workflow tab); it lives and dies with the store. */
const histories = new WeakMap<EditorStore, DocHistory>();

export function historyFor(store: EditorStore): DocHistory {
  let history = histories.get(store);
  if (!history) {
    history = new DocHistory(store);
    histories.set(store, history);
  }
  return history;
}
