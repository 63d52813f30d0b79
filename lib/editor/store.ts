import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from "@xyflow/react";
import { createStore, type StoreApi } from "zustand/vanilla";
import type { Graph } from "@/lib/engine/graph";
import type { NodePin } from "@/lib/engine/pins";
import type { DiffMark } from "@/lib/workflows/diff";
import type { RunEvent } from "@/lib/engine/run-ports";
import type { Problem } from "@/lib/engine/validate";
import type { WorkflowVariable } from "@/lib/engine/variables";
import { nodeRegistry, type NodeRegistry } from "@/lib/nodes/registry";
import type { SaveState } from "./autosave";
import { pasteNodes, type NodeClipboard } from "./clipboard";
import type { ConnectionCheck } from "./connect";
import * as doc from "./doc";
import { flowToGraph, graphToFlow, type FlowDoc, type WeftEdge, type WeftNode } from "./flow";
import { checkNodeLimit } from "./node-limit";
import { restoredDoc, setNodeDisabled, setNodePin } from "./node-flags";
import { applyRunEvent, applySnapshot, startOverlay, type RunOverlay, type RunSnapshot } from "./run-overlay";
import { selectNodes } from "./selection";

/**
 * The editor's state: the document (nodes, edges), the run overlay, save and validation state.
 * Every action delegates to a pure function in doc.ts / run-overlay.ts.
 */
export interface EditorState {
  workflowId: string;
  name: string;
  /** Viewers see the graph and its runs but cannot change it. */
  readOnly: boolean;
  nodes: WeftNode[];
  edges: WeftEdge[];
  /** Workflow variables declared on the graph (Variables panel). */
  variables: WorkflowVariable[];
  save: SaveState;
  problems: Problem[];
  /** Problems by node id; an entry keeps its identity while its content is unchanged, so only affected nodes re-render. */
  problemsByNode: Readonly<Record<string, readonly Problem[]>>;
  overlay: RunOverlay | null;
  /** Why the last connection attempt was refused, for a short notice on the canvas. */
  notice: string | null;

  onNodesChange(changes: NodeChange<WeftNode>[]): void;
  onEdgesChange(changes: EdgeChange<WeftEdge>[]): void;
  connect(connection: Connection): ConnectionCheck;
  /**
   * `parentId`: put the node in that loop's body (`position` is then relative to the loop).
   * Returns the new id, or "" when the graph is at its node limit (the notice says so).
   */
  addNode(kind: string, position?: { x: number; y: number }, parentId?: string): string;
  /** After a node was dragged: it joins the loop it was dropped into, or leaves its loop. */
  nodeDragged(id: string): void;
  removeNodes(ids: readonly string[]): void;
  updateConfig(id: string, config: Record<string, unknown>): void;
  setTitle(id: string, title: string): void;
  /** Replaces the node's Settings (timeout, retry, on error); undefined removes them. Edges off a removed error handle go too. */
  updateSettings(id: string, settings: Record<string, unknown> | undefined): void;
  selectNode(id: string | null): void;
  /** Selects exactly these nodes (Select all, a pasted group). */
  selectNodes(ids: readonly string[]): void;
  /** Adds copied nodes (ids renamed, references rewritten) at `at` or offset; they become the selection. Returns their ids. */
  pasteNodes(clip: NodeClipboard, at?: { x: number; y: number }): string[];
  setPositions(positions: ReadonlyMap<string, { x: number; y: number }>): void;
  setName(name: string): void;
  setVariables(variables: WorkflowVariable[]): void;
  setSave(save: SaveState): void;
  setProblems(problems: Problem[]): void;
  setNotice(notice: string | null): void;
  beginRun(runId: string): void;
  applySnapshot(snapshot: RunSnapshot): void;
  applyRunEvent(event: RunEvent): void;
  clearRun(): void;
  /** Disable / pin / restore (node-flags.ts): ordinary document changes. */
  setDisabled(id: string, disabled: boolean): void;
  setPin(id: string, pin: NodePin | undefined): void;
  restoreGraph(graph: Graph): void;
  /** Nodes coloured by the Versions panel's diff (added / removed / changed / moved); null when no diff is shown. */
  diffMarks: Readonly<Record<string, DiffMark>> | null;
  setDiffMarks(marks: Readonly<Record<string, DiffMark>> | null): void;
}

export interface EditorInit {
  workflowId: string;
  name: string;
  graph: Graph;
  revision: number;
  readOnly?: boolean;
  registry?: NodeRegistry;
}

export type EditorStore = StoreApi<EditorState>;

type DocState = Pick<EditorState, "nodes" | "edges"> & { variables?: WorkflowVariable[] };
export const currentDoc = (state: DocState): FlowDoc => ({
  nodes: state.nodes,
  edges: state.edges,
  ...(state.variables?.length ? { variables: state.variables } : {}),
});
export const currentGraph = (state: DocState): Graph => flowToGraph(currentDoc(state));

/** Changes that only React Flow's own bookkeeping cares about; they never make the graph dirty. */
const CONTENT_CHANGE = new Set(["add", "remove", "replace", "position"]);
export const isContentChange = (change: { type: string }) => CONTENT_CHANGE.has(change.type);

const problemKey = (p: Problem) => `${p.severity}|${p.code}|${p.nodeId ?? ""}|${p.edgeId ?? ""}|${p.field ?? ""}|${p.message}`;

function sameProblems(a: readonly Problem[], b: readonly Problem[]): boolean {
  return a.length === b.length && a.every((p, i) => problemKey(p) === problemKey(b[i]));
}

export function indexProblems(
  problems: readonly Problem[],
  previous: Readonly<Record<string, readonly Problem[]>> = {},
): Record<string, readonly Problem[]> {
  const grouped: Record<string, Problem[]> = {};
  for (const problem of problems) if (problem.nodeId) (grouped[problem.nodeId] ??= []).push(problem);
  const index: Record<string, readonly Problem[]> = {};
  for (const [id, list] of Object.entries(grouped)) {
    const old = previous[id];
    index[id] = old && sameProblems(old, list) ? old : list;
  }
  return index;
}

export function createEditorStore(init: EditorInit): EditorStore {
  const registry = init.registry ?? nodeRegistry;
  const flow = graphToFlow(init.graph);
  return createStore<EditorState>()((set, get) => {
    const setDoc = (next: FlowDoc) => set({ nodes: next.nodes, edges: next.edges });
    return {
      workflowId: init.workflowId,
      name: init.name,
      readOnly: init.readOnly ?? false,
      nodes: flow.nodes,
      edges: flow.edges,
      variables: flow.variables ?? [],
      save: { status: "saved", revision: init.revision },
      problems: [],
      problemsByNode: {},
      overlay: null,
      notice: null,
      diffMarks: null,

      onNodesChange(changes) {
        const removed = changes.flatMap((c) => (c.type === "remove" ? [c.id] : []));
        let next: FlowDoc = { nodes: applyNodeChanges(changes, get().nodes), edges: get().edges };
        // React Flow removes connected edges itself on Delete; a removal from elsewhere must too.
        if (removed.length > 0) next = doc.removeNodes(next, removed);
        setDoc(next);
      },
      onEdgesChange(changes) {
        set({ edges: applyEdgeChanges(changes, get().edges) });
      },
      connect(connection) {
        const result = doc.connect(currentDoc(get()), connection, registry);
        if (result.check.ok) setDoc(result.doc);
        else set({ notice: result.check.reason });
        return result.check;
      },
      addNode(kind, position, parentId) {
        const current = currentDoc(get());
        const limit = checkNodeLimit(current.nodes.length);
        if (!limit.ok) {
          set({ notice: limit.message });
          return "";
        }
        if (limit.warning) set({ notice: limit.warning });
        const result = doc.addNode(current, kind, position ?? doc.nextFreePosition(current), registry, parentId);
        setDoc(result.doc);
        return result.id;
      },
      nodeDragged(id) {
        const result = doc.reparentAfterDrag(currentDoc(get()), id, registry);
        if (!result) return;
        setDoc(result.doc);
        if (result.removedEdges > 0) {
          const n = result.removedEdges;
          set({ notice: `${n} connection${n === 1 ? "" : "s"} removed: connections cannot cross the border of a loop.` });
        }
      },
      removeNodes(ids) {
        setDoc(doc.removeNodes(currentDoc(get()), ids));
      },
      updateConfig(id, config) {
        const node = get().nodes.find((n) => n.id === id);
        if (!node) return;
        // The title and the Settings live beside the config; panels edit only the config.
        const { title, settings } = node.data.config;
        const merged = {
          ...config,
          ...(typeof title === "string" && title ? { title } : {}),
          ...(settings !== undefined ? { settings } : {}),
        };
        setDoc(doc.updateConfig(currentDoc(get()), id, merged, registry));
      },
      setTitle(id, title) {
        const node = get().nodes.find((n) => n.id === id);
        if (!node) return;
        const { title: _previous, ...rest } = node.data.config;
        const config = title.trim() ? { ...rest, title } : rest;
        setDoc(doc.updateConfig(currentDoc(get()), id, config, registry));
      },
      updateSettings(id, settings) {
        const node = get().nodes.find((n) => n.id === id);
        if (!node) return;
        const { settings: _previous, ...rest } = node.data.config;
        const config = settings === undefined ? rest : { ...rest, settings };
        setDoc(doc.updateConfig(currentDoc(get()), id, config, registry));
      },
      selectNode(id) {
        setDoc(doc.selectNode(currentDoc(get()), id));
      },
      selectNodes(ids) {
        setDoc(selectNodes(currentDoc(get()), ids));
      },
      pasteNodes(clip, at) {
        const result = pasteNodes(currentDoc(get()), clip, registry, at);
        if (result.ids.length > 0) setDoc(result.doc);
        return result.ids;
      },
      setPositions(positions) {
        setDoc(doc.setPositions(currentDoc(get()), positions));
      },
      setName(name) {
        set({ name });
      },
      setVariables(variables) {
        set({ variables });
      },
      setSave(save) {
        set({ save });
      },
      setProblems(problems) {
        const current = get();
        if (sameProblems(current.problems, problems)) return;
        set({ problems, problemsByNode: indexProblems(problems, current.problemsByNode) });
      },
      setNotice(notice) {
        set({ notice });
      },
      beginRun(runId) {
        set({ overlay: startOverlay(runId) });
      },
      applySnapshot(snapshot) {
        const overlay = get().overlay;
        if (overlay && overlay.runId === snapshot.run.id) set({ overlay: applySnapshot(overlay, snapshot) });
      },
      applyRunEvent(event) {
        const overlay = get().overlay;
        if (overlay) set({ overlay: applyRunEvent(overlay, event) });
      },
      clearRun() {
        set({ overlay: null });
      },
      setDisabled(id, disabled) {
        setDoc(setNodeDisabled(currentDoc(get()), id, disabled));
      },
      setPin(id, pin) {
        setDoc(setNodePin(currentDoc(get()), id, pin));
      },
      restoreGraph(graph) {
        const next = restoredDoc(currentDoc(get()), graph);
        set({ nodes: next.nodes, edges: next.edges, variables: next.variables ?? [] });
      },
      setDiffMarks(diffMarks) {
        set({ diffMarks });
      },
    };
  });
}
