"use client";

import { Pin, PowerOff } from "lucide-react";
import type { ReactNode } from "react";
import type { WeftNodeData } from "@/lib/editor/flow";
import type { DiffMark } from "@/lib/workflows/diff";
import { cn } from "@/lib/utils";
import { useEditor } from "./store-context";

const DIFF_STYLE: Record<DiffMark, { ring: string; label: string; badge: string }> = {
  added: { ring: "ring-4 ring-green-500", label: "Added", badge: "bg-green-100 text-green-800" },
  removed: { ring: "ring-4 ring-red-500", label: "Removed", badge: "bg-red-100 text-red-800" },
  changed: { ring: "ring-4 ring-amber-500", label: "Changed", badge: "bg-amber-100 text-amber-900" },
  moved: { ring: "ring-4 ring-sky-400", label: "Moved", badge: "bg-sky-100 text-sky-800" },
};

/**
 * How a node looks for the features of editor runs: greyed when disabled, a "Pinned" badge when
 * its output is pinned (and "used pin" once a run took it), and the Versions diff colour.
 */
export function useNodeMarks(id: string, data: WeftNodeData): { className: string | undefined; badges: ReactNode } {
  const diff = useEditor((s) => s.diffMarks?.[id]);
  const origin = useEditor((s) => s.overlay?.steps[id]?.origin);
  const pinned = data.pin !== undefined;
  const className = cn(data.disabled && "opacity-50 grayscale", diff && DIFF_STYLE[diff].ring) || undefined;
  if (!data.disabled && !pinned && !diff) return { className, badges: null };
  return {
    className,
    badges: (
      <div className="flex flex-wrap gap-1 px-3 pt-1.5 text-[10px] font-medium">
        {data.disabled ? (
          <span className="flex items-center gap-1 rounded bg-zinc-200 px-1.5 py-0.5 text-zinc-700" data-testid={`node-disabled-${id}`}>
            <PowerOff className="size-3" aria-hidden /> Disabled
          </span>
        ) : null}
        {pinned ? (
          <span
            className="flex items-center gap-1 rounded bg-violet-100 px-1.5 py-0.5 text-violet-800"
            data-testid={`node-pinned-${id}`}
            title="Test-runs from the editor use the pinned output instead of running this node. Published runs never do."
          >
            <Pin className="size-3" aria-hidden /> {origin === "pinned" ? "Used pinned output" : "Pinned output"}
          </span>
        ) : null}
        {diff ? (
          <span className={cn("rounded px-1.5 py-0.5", DIFF_STYLE[diff].badge)} data-testid={`node-diff-${id}`} data-diff={diff}>
            {DIFF_STYLE[diff].label}
          </span>
        ) : null}
      </div>
    ),
  };
}
