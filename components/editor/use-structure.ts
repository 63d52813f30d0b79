"use client";

import { useRef } from "react";
import type { FlowDoc } from "@/lib/editor/flow";
import { sameStructure } from "@/lib/editor/structure";
import { useEditor } from "./store-context";

/**
 * The document's nodes, edges and variables, keeping its identity while only positions,
 * selection or measurements change (lib/editor/structure.ts): panels deriving from the graph
 * re-render when its content changes, not on every frame of a drag.
 */
export function useStructure(): FlowDoc {
  const cache = useRef<FlowDoc | null>(null);
  return useEditor((s) => {
    const next: FlowDoc = { nodes: s.nodes, edges: s.edges, variables: s.variables };
    if (cache.current && sameStructure(cache.current, next)) return cache.current;
    cache.current = next;
    return next;
  });
}
