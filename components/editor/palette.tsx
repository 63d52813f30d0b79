"use client";

import type { DragEvent } from "react";
import { useReactFlow, useStoreApi } from "@xyflow/react";
import { placeNewNode } from "@/lib/editor/placement";
import { NODE_CATEGORIES, type NodeCategory } from "@/lib/engine/node-kit";
import { NODE_TYPES, nodeDefinitions } from "@/lib/nodes/registry";
import { PALETTE_MIME } from "./canvas";
import { useEditor, useEditorStore } from "./store-context";

const CATEGORY_LABEL: Record<NodeCategory, string> = { basic: "Basic", ai: "AI", logic: "Logic" };

/** Node types by category: drag one onto the canvas, or click to add it next to the others. */
export function Palette() {
  const addNode = useEditor((s) => s.addNode);
  const readOnly = useEditor((s) => s.readOnly);
  const store = useEditorStore();
  const flowStore = useStoreApi();
  const { screenToFlowPosition } = useReactFlow();
  // A click puts the node where the user looks: next to the selection, or in the middle of the view.
  const addInView = (type: string) => {
    const { domNode } = flowStore.getState();
    const box = domNode?.getBoundingClientRect();
    if (!box) return void addNode(type);
    const topLeft = screenToFlowPosition({ x: box.left, y: box.top });
    const bottomRight = screenToFlowPosition({ x: box.right, y: box.bottom });
    const view = { x: topLeft.x, y: topLeft.y, width: bottomRight.x - topLeft.x, height: bottomRight.y - topLeft.y };
    addNode(type, placeNewNode(store.getState(), view));
  };
  const onDragStart = (event: DragEvent, type: string) => {
    event.dataTransfer.setData(PALETTE_MIME, type);
    event.dataTransfer.setData("text/plain", type);
    event.dataTransfer.effectAllowed = "move";
  };
  if (readOnly) {
    return <p className="p-4 text-xs text-muted-foreground">You can view this workflow; your role does not allow editing it.</p>;
  }
  return (
    <nav aria-label="Node palette" className="flex h-full flex-col gap-4 overflow-y-auto p-3" data-testid="palette">
      {NODE_CATEGORIES.map((category) => {
        const types = NODE_TYPES.filter((t) => nodeDefinitions[t].category === category);
        if (types.length === 0) return null;
        return (
          <section key={category} aria-labelledby={`palette-${category}`}>
            <h2 id={`palette-${category}`} className="mb-1.5 px-1 text-[11px] font-semibold uppercase tracking-wide text-muted-foreground">
              {CATEGORY_LABEL[category]}
            </h2>
            <ul className="space-y-1.5">
              {types.map((type) => {
                const def = nodeDefinitions[type];
                return (
                  <li key={type}>
                    <button
                      type="button"
                      draggable
                      onDragStart={(event) => onDragStart(event, type)}
                      onClick={() => addInView(type)}
                      data-testid={`palette-item-${type}`}
                      title={`Drag onto the canvas, or click to add: ${def.description}`}
                      className="flex w-full cursor-grab items-start gap-2 rounded-md border bg-white p-2 text-left shadow-sm transition hover:border-zinc-400 hover:shadow active:cursor-grabbing"
                    >
                      <span aria-hidden className="mt-1 size-2.5 shrink-0 rounded-full" style={{ backgroundColor: def.color }} />
                      <span className="min-w-0">
                        <span className="block text-sm font-medium">{def.label}</span>
                        <span className="block text-xs leading-snug text-muted-foreground">{def.description}</span>
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </nav>
  );
}
