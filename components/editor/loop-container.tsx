"use client";

import { memo } from "react";
import { Handle, NodeResizer, Position, type NodeProps } from "@xyflow/react";
import { Repeat } from "lucide-react";
import type { Problem } from "@/lib/engine/validate";
import type { WeftNode as WeftFlowNode } from "@/lib/editor/flow";
import { itemProgress, nodeRunStatus } from "@/lib/editor/run-overlay";
import { nodeRegistry } from "@/lib/nodes/registry";
import { cn } from "@/lib/utils";
import { useEditor } from "./store-context";

const NO_PROBLEMS: readonly Problem[] = [];

const RING: Record<string, string> = {
  queued: "border-zinc-300",
  running: "border-blue-500",
  waiting: "border-amber-500",
  succeeded: "border-green-500",
  failed: "border-red-500",
  skipped: "border-zinc-200 opacity-50",
  not_run: "border-zinc-200 opacity-50",
};

/**
 * A Loop on the canvas: a resizable container (a React Flow parent node) whose inside is the
 * loop's body. Nodes dropped or dragged into it join the body; they start with each item.
 */
function LoopContainerView({ id, data, selected }: NodeProps<WeftFlowNode>) {
  const def = nodeRegistry[data.kind];
  const color = def?.color ?? "#0f766e";
  const config = data.config;
  const title = typeof config.title === "string" && config.title.trim() ? config.title.trim() : (def?.label ?? data.kind);
  const items = typeof config.items === "string" && config.items.trim() ? config.items.trim() : "(choose a list)";
  const parallelism = typeof config.parallelism === "number" ? config.parallelism : 1;
  const readOnly = useEditor((s) => s.readOnly);
  const problems = useEditor((s) => s.problemsByNode[id] ?? NO_PROBLEMS);
  const errors = problems.filter((p) => p.severity === "error");
  const status = useEditor((s) => (s.overlay ? nodeRunStatus(s.overlay, id) : null));
  const progress = useEditor((s) => {
    // The loop's progress is that of its body's first node: one step per item.
    const first = s.nodes.find((n) => n.parentId === id);
    return first ? itemProgress(s.overlay?.steps[first.id]) : null;
  });
  // The loop's own step stays running while one of its items waits; say what the user should know.
  const runWaiting = useEditor((s) => s.overlay?.status === "waiting");
  const shown = status === "running" && runWaiting ? "waiting" : status;

  return (
    <div
      data-testid={`node-${id}`}
      data-node-type={data.kind}
      data-status={shown ?? undefined}
      data-errors={errors.length}
      className={cn(
        "relative h-full w-full rounded-xl border-2 border-dashed",
        shown ? RING[shown] : errors.length > 0 ? "border-red-500" : "border-zinc-300",
        selected && "outline outline-2 outline-offset-2 outline-zinc-900/70",
      )}
      style={{ backgroundColor: `${color}0d` }}
    >
      <NodeResizer isVisible={selected && !readOnly} minWidth={320} minHeight={180} color={color} />
      <Handle type="target" position={Position.Left} className="size-3! border-2! border-white! bg-zinc-500!" />
      <div className="flex items-center gap-2 rounded-t-[10px] px-3 py-1.5 text-white" style={{ backgroundColor: color }}>
        <Repeat className="size-3.5 shrink-0" aria-hidden />
        <span className="truncate text-sm font-semibold">{title}</span>
        <span className="truncate text-xs text-white/80" title="The list this loop runs its body for">
          for each of <code className="font-mono">{items}</code>
          {parallelism > 1 ? `, ${parallelism} at a time` : ""}
        </span>
        <span className="ml-auto truncate rounded bg-black/20 px-1.5 font-mono text-[10px]" title="Node id: inside, use {{ id.item }} and {{ id.index }}">
          {id}
        </span>
        {errors.length > 0 ? (
          <span
            className="flex h-5 min-w-5 items-center justify-center rounded-full bg-red-600 px-1 text-[10px] font-bold ring-2 ring-white"
            title={errors.map((e) => e.message).join("\n")}
            data-testid={`node-errors-${id}`}
          >
            {errors.length}
          </span>
        ) : null}
      </div>
      <p className="pointer-events-none px-3 pt-1 text-[11px] text-zinc-500">
        Inside: <code className="font-mono">{`{{ ${id}.item }}`}</code>, <code className="font-mono">{`{{ ${id}.index }}`}</code>. Results:{" "}
        <code className="font-mono">{`{{ ${id}.results }}`}</code>
      </p>
      {shown ? (
        <div className="absolute bottom-1.5 left-3 rounded bg-white/90 px-2 py-0.5 text-xs font-medium text-zinc-700 shadow-sm" data-testid={`node-status-${id}`}>
          {shown}
          {progress ? ` · ${progress}` : ""}
        </div>
      ) : null}
      <Handle
        type="source"
        position={Position.Right}
        id="out"
        data-testid={`handle-${id}-out`}
        className="size-3! border-2! border-white!"
        style={{ backgroundColor: color }}
      />
    </div>
  );
}

export const LoopContainer = memo(LoopContainerView);
