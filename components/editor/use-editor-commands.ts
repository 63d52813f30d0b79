"use client";

import { useCallback, useMemo, useState, useSyncExternalStore } from "react";
import { useReactFlow } from "@xyflow/react";
import { copyNodes, type NodeClipboard } from "@/lib/editor/clipboard";
import { historyFor, type HistoryState } from "@/lib/editor/doc-history";
import { selectedNodeIds } from "@/lib/editor/selection";
import { currentDoc } from "@/lib/editor/store";
import type { WeftNode } from "@/lib/editor/flow";
import { readNodeClipboard, writeNodeClipboard } from "./clipboard-io";
import { useEditorStore } from "./store-context";

type Point = { x: number; y: number };

export interface EditorCommands {
  history: HistoryState;
  undo(): void;
  redo(): void;
  /** Copies the given nodes (default: the selection); false when there was nothing to copy. */
  copy(ids?: readonly string[]): boolean;
  cut(ids?: readonly string[]): void;
  /** Pastes `clip`, or what the clipboard holds; `at` is the canvas point of the pasted group's top-left. */
  paste(at?: Point, clip?: NodeClipboard | null): Promise<void>;
  duplicate(ids?: readonly string[]): void;
  remove(ids?: readonly string[]): void;
  /** Deletes the selected nodes and connections (the Delete key). */
  removeSelection(): void;
  selectAll(): void;
  deselect(): void;
  /** Selects the node and moves the view to it. */
  focusNode(id: string): void;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Every editing command the shortcuts, the toolbar and the context menus share. */
export function useEditorCommands(): EditorCommands {
  const store = useEditorStore();
  const [history] = useState(() => historyFor(store));
  const historyState = useSyncExternalStore(history.subscribe, history.getState, history.getState);
  const { setCenter, getZoom, getInternalNode } = useReactFlow<WeftNode>();

  const writable = useCallback(() => !store.getState().readOnly, [store]);
  const idsOr = useCallback((ids?: readonly string[]) => (ids && ids.length > 0 ? ids : selectedNodeIds(store.getState())), [store]);
  const notify = useCallback((text: string) => store.getState().setNotice(text), [store]);

  const copy = useCallback(
    (ids?: readonly string[]) => {
      const clip = copyNodes(currentDoc(store.getState()), idsOr(ids));
      if (!clip) return false;
      void writeNodeClipboard(clip);
      notify(`Copied ${plural(clip.nodes.length, "node")}.`);
      return true;
    },
    [store, idsOr, notify],
  );

  const remove = useCallback(
    (ids?: readonly string[]) => {
      const chosen = idsOr(ids);
      if (writable() && chosen.length > 0) store.getState().removeNodes(chosen);
    },
    [store, idsOr, writable],
  );

  const removeSelection = useCallback(() => {
    if (!writable()) return;
    const state = store.getState();
    const nodes = selectedNodeIds(state);
    const edges = state.edges.filter((edge) => edge.selected).map((edge) => ({ type: "remove" as const, id: edge.id }));
    if (nodes.length > 0) state.removeNodes(nodes);
    if (edges.length > 0) store.getState().onEdgesChange(edges);
  }, [store, writable]);

  const paste = useCallback(
    async (at?: Point, given?: NodeClipboard | null) => {
      if (!writable()) return;
      const clip = given === undefined ? await readNodeClipboard() : given;
      if (!clip) {
        notify("The clipboard holds no Weft nodes.");
        return;
      }
      const ids = store.getState().pasteNodes(clip, at);
      notify(ids.length > 0 ? `Pasted ${plural(ids.length, "node")}.` : "None of the copied node types exists in this version of Weft.");
    },
    [store, writable, notify],
  );

  const focusNode = useCallback(
    (id: string) => {
      store.getState().selectNode(id);
      const internal = getInternalNode(id);
      if (!internal) return;
      const { x, y } = internal.internals.positionAbsolute;
      const width = internal.measured.width ?? 240;
      const height = internal.measured.height ?? 90;
      void setCenter(x + width / 2, y + height / 2, { zoom: Math.max(getZoom(), 0.8), duration: 250 });
    },
    [store, getInternalNode, setCenter, getZoom],
  );

  return useMemo(
    () => ({
      history: historyState,
      undo: () => void (writable() && history.undo()),
      redo: () => void (writable() && history.redo()),
      copy,
      cut: (ids) => {
        if (writable() && copy(ids)) remove(ids);
      },
      paste,
      duplicate: (ids) => {
        const clip = copyNodes(currentDoc(store.getState()), idsOr(ids));
        if (clip) void paste(undefined, clip);
      },
      remove,
      removeSelection,
      selectAll: () => store.getState().selectNodes(store.getState().nodes.map((n) => n.id)),
      deselect: () => store.getState().selectNodes([]),
      focusNode,
    }),
    [historyState, history, writable, copy, remove, removeSelection, paste, focusNode, store, idsOr],
  );
}
