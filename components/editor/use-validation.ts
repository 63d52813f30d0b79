"use client";

import { useEffect } from "react";
import { useModelAliases } from "@/components/editor/model-picker";
import { validateGraph } from "@/lib/engine/validate";
import { currentGraph, type EditorStore } from "@/lib/editor/store";
import { sameStructure } from "@/lib/editor/structure";
import { nodeRegistry } from "@/lib/nodes/registry";

/** Re-validates the graph shortly after each change (the same validator the server runs). */
export function useValidation(store: EditorStore, delayMs = 150): void {
  // Once the workspace's aliases are known, a node naming another alias is flagged live too.
  const aliases = useModelAliases();
  const aliasNames = aliases.status === "ready" ? aliases.aliases.map((a) => a.name).join("\n") : null;
  useEffect(() => {
    const context = aliasNames === null ? {} : { modelAliases: new Set(aliasNames ? aliasNames.split("\n") : []) };
    const run = () => store.getState().setProblems(validateGraph(currentGraph(store.getState()), nodeRegistry, context));
    run();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = store.subscribe((state, previous) => {
      // Moves, selection and measuring change nothing the validator reads.
      if (sameStructure(state, previous)) return;
      if (timer) clearTimeout(timer);
      // A large graph takes longer to validate: wait for a longer pause in typing (1,000 nodes: 0.4 s).
      timer = setTimeout(run, delayMs + Math.floor(state.nodes.length / 4));
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [store, delayMs, aliasNames]);
}
