"use client";

import { useEffect, useRef } from "react";
import type { Graph } from "@/lib/engine/graph";
import { saveGraphChanges } from "@/lib/editor/save-graph";
import { Autosaver } from "@/lib/editor/autosave";
import { flowToGraph, graphToFlow } from "@/lib/editor/flow";
import { currentGraph, type EditorStore } from "@/lib/editor/store";

/** Saves every change of the graph (debounced, one save at a time) and guards page unload. */
export function useAutosave(store: EditorStore, initial: { graph: Graph; revision: number }) {
  const saverRef = useRef<Autosaver | null>(null);

  useEffect(() => {
    const { workflowId, readOnly } = store.getState();
    if (readOnly) return;
    const saver = new Autosaver({
      // Normalised the way the editor will serialise it, so loading alone never triggers a save.
      saved: flowToGraph(graphToFlow(initial.graph)),
      revision: initial.revision,
      // Large graphs send only what changed since the last save (lib/editor/save-graph.ts).
      save: (graph, revision, base) => saveGraphChanges(workflowId, graph, revision, base),
      onState: (state) => store.getState().setSave(state),
    });
    saverRef.current = saver;
    saver.update(currentGraph(store.getState()));
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.nodes === previous.nodes && state.edges === previous.edges && state.variables === previous.variables) return;
      // Serialised once per pause, not on every frame of a drag.
      saver.touch(() => currentGraph(store.getState()));
    });
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (!saver.hasUnsavedChanges) return;
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      unsubscribe();
      window.removeEventListener("beforeunload", onBeforeUnload);
      // A last save on the way out (client-side navigation); the conflict check keeps it safe.
      if (saver.hasUnsavedChanges) void saver.flush();
      saver.dispose();
      saverRef.current = null;
    };
    // The initial graph is read once when the editor opens.
  }, [store]);

  return saverRef;
}
