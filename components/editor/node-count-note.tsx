"use client";

import { LIMITS } from "@/lib/engine/limits";
import { nodeCountNote } from "@/lib/editor/node-limit";
import { useEditor } from "./store-context";

/** Near the graph's node limit: how many nodes there are of how many allowed (nothing well below it). */
export function NodeCountNote() {
  const count = useEditor((s) => s.nodes.length);
  const note = nodeCountNote(count);
  if (!note) return null;
  const full = count >= LIMITS.maxGraphNodes;
  return (
    <span
      className={full ? "rounded bg-red-50 px-1.5 py-0.5 text-xs text-red-700" : "rounded bg-amber-50 px-1.5 py-0.5 text-xs text-amber-800"}
      title="A workflow has a limited number of nodes; move parts into sub-workflows to stay below it."
      data-testid="node-count-note"
    >
      {note}
    </span>
  );
}
