"use client";

import { memo, useMemo } from "react";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { CheckCircle2, CircleDashed, Loader2, MinusCircle, XCircle } from "lucide-react";
import type { HandleSpec } from "@/lib/engine/node-kit";
import { ERROR_HANDLE, nodeOutputHandles } from "@/lib/engine/policy";
import type { Problem } from "@/lib/engine/validate";
import type { WeftNode as WeftFlowNode } from "@/lib/editor/flow";
import { itemProgress, nodeRunStatus, type NodeRunStatus } from "@/lib/editor/run-overlay";
import { nodeTitle } from "@/lib/editor/node-title";
import { nodeSummary } from "@/lib/editor/summary";
import { nodeRegistry } from "@/lib/nodes/registry";
import { cn } from "@/lib/utils";
import { LoopContainer } from "./loop-container";
import { useNodeMarks } from "./node-marks";
import { useEditor } from "./store-context";
import { useHandleChangeInternals } from "./use-handle-internals";

/** Output handles from the definition and the node's Settings (the error branch); never throws. */
function handlesFor(kind: string, config: Record<string, unknown>): HandleSpec[] {
  const def = nodeRegistry[kind];
  return def ? nodeOutputHandles(def, config) : [];
}

/** The summary line of a branch without its "IF: " prefix (the handle badge already says it). */
function branchText(line: string | undefined, label: string): string {
  if (!line || line === label) return "";
  return line.startsWith(`${label}: `) ? line.slice(label.length + 2) : line;
}

const NO_PROBLEMS: readonly Problem[] = [];

const STATUS_STYLE: Record<NodeRunStatus, { label: string; className: string; ring: string }> = {
  queued: { label: "Queued", className: "text-zinc-500", ring: "ring-1 ring-zinc-300" },
  running: { label: "Running", className: "text-blue-600", ring: "ring-2 ring-blue-500 animate-pulse" },
  waiting: { label: "Waiting", className: "text-amber-600", ring: "ring-2 ring-amber-500" },
  succeeded: { label: "Succeeded", className: "text-green-600", ring: "ring-2 ring-green-500" },
  failed: { label: "Failed", className: "text-red-600", ring: "ring-2 ring-red-500" },
  skipped: { label: "Skipped", className: "text-zinc-400", ring: "ring-1 ring-zinc-200" },
  not_run: { label: "Not run", className: "text-zinc-400", ring: "ring-1 ring-zinc-200" },
};

function StatusIcon({ status }: { status: NodeRunStatus }) {
  const props = { className: "size-3.5", "aria-hidden": true } as const;
  switch (status) {
    case "queued":
      return <CircleDashed {...props} />;
    case "running":
      return <Loader2 {...props} className="size-3.5 animate-spin" />;
    case "succeeded":
      return <CheckCircle2 {...props} />;
    case "failed":
      return <XCircle {...props} />;
    case "skipped":
    case "not_run":
      return <MinusCircle {...props} />;
  }
}

function WeftNodeView({ id, data, selected }: NodeProps<WeftFlowNode>) {
  const def = nodeRegistry[data.kind];
  const color = def?.color ?? "#71717a";
  const allHandles = useMemo(() => handlesFor(data.kind, data.config), [data.kind, data.config]);
  // The error handle gets its own row below the node's own outputs, so branch rows keep their summary lines.
  const handles = useMemo(() => allHandles.filter((h) => h.id !== ERROR_HANDLE), [allHandles]);
  const errorHandle = allHandles.find((h) => h.id === ERROR_HANDLE);
  const summary = useMemo(() => nodeSummary(data.kind, data.config), [data.kind, data.config]);
  const title = nodeTitle(data.kind, data.config);

  const problems = useEditor((s) => s.problemsByNode[id] ?? NO_PROBLEMS);
  const errors = useMemo(() => problems.filter((p) => p.severity === "error"), [problems]);
  const warnings = useMemo(() => problems.filter((p) => p.severity === "warning"), [problems]);
  const status = useEditor((s) => (s.overlay ? nodeRunStatus(s.overlay, id) : null));
  const streamed = useEditor((s) => s.overlay?.deltas[id] ?? "");
  // Inside a loop: how its items went (one step per item).
  const progress = useEditor((s) => itemProgress(s.overlay?.steps[id]));
  const marks = useNodeMarks(id, data);

  // React Flow measures handles once; branches added or removed must be re-measured.
  useHandleChangeInternals(id, allHandles.map((h) => h.id).join("|"));

  const multi = handles.length > 1;
  return (
    <div
      data-testid={`node-${id}`}
      data-status={status ?? undefined}
      data-node-type={data.kind}
      data-errors={errors.length}
      data-disabled={data.disabled ? "true" : undefined}
      className={cn(
        "w-60 rounded-lg border bg-white text-left shadow-sm transition-shadow",
        selected && "shadow-md outline outline-2 outline-offset-2 outline-zinc-900/70",
        status ? STATUS_STYLE[status].ring : errors.length > 0 ? "ring-2 ring-red-500" : undefined,
        (status === "skipped" || status === "not_run") && "opacity-50",
        marks.className,
      )}
    >
      {def?.hasInput !== false ? <Handle type="target" position={Position.Left} className="size-3! border-2! border-white! bg-zinc-500!" /> : null}
      <div className="flex items-center gap-2 rounded-t-lg px-3 py-2 text-white" style={{ backgroundColor: color }}>
        <span className="truncate text-sm font-semibold">{title}</span>
        <span className="ml-auto truncate rounded bg-black/20 px-1.5 font-mono text-[10px]" title="Node id, used in {{ id.field }}">
          {id}
        </span>
        {errors.length > 0 ? (
          <span
            className="flex h-5 min-w-5 items-center justify-center rounded-full bg-red-600 px-1 text-[10px] font-bold text-white ring-2 ring-white"
            title={errors.map((e) => e.message).join("\n")}
            data-testid={`node-errors-${id}`}
            aria-label={`${errors.length} error${errors.length === 1 ? "" : "s"}`}
          >
            {errors.length}
          </span>
        ) : warnings.length > 0 ? (
          <span className="text-[10px] text-amber-100" title={warnings.map((w) => w.message).join("\n")}>
            ⚠
          </span>
        ) : null}
      </div>

      {marks.badges}
      <div className="space-y-0.5 px-3 py-2 text-xs text-zinc-600">
        {!def ? <p className="text-red-600">Unknown node type “{data.kind}”</p> : null}
        {multi
          ? null
          : summary.map((line, index) => (
              <p key={index} className="truncate">
                {line}
              </p>
            ))}
      </div>

      {multi ? (
        <div className="space-y-1 pb-2">
          {handles.map((handle, index) => (
            <div key={handle.id} className="relative flex items-center justify-end gap-2 py-0.5 pl-3 pr-4 text-xs">
              <span className="truncate text-zinc-500">{branchText(summary[index], handle.label)}</span>
              <span className="shrink-0 rounded bg-zinc-100 px-1.5 font-mono text-[10px] font-semibold text-zinc-700">{handle.label || handle.id}</span>
              <Handle
                type="source"
                position={Position.Right}
                id={handle.id}
                data-testid={`handle-${id}-${handle.id}`}
                className="size-3! border-2! border-white!"
                style={{ backgroundColor: color }}
              />
            </div>
          ))}
        </div>
      ) : handles.length === 1 ? (
        <Handle
          type="source"
          position={Position.Right}
          id={handles[0].id}
          data-testid={`handle-${id}-${handles[0].id}`}
          className="size-3! border-2! border-white!"
          style={{ backgroundColor: color }}
        />
      ) : null}

      {errorHandle ? (
        <div className="relative flex items-center justify-end gap-2 border-t border-dashed py-1 pl-3 pr-4 text-xs">
          <span className="truncate text-zinc-500">on failure</span>
          <span className="shrink-0 rounded bg-red-50 px-1.5 font-mono text-[10px] font-semibold text-red-700">{errorHandle.label}</span>
          <Handle
            type="source"
            position={Position.Right}
            id={errorHandle.id}
            data-testid={`handle-${id}-${errorHandle.id}`}
            className="size-3! border-2! border-white! bg-red-600!"
          />
        </div>
      ) : null}

      {status ? (
        <div className={cn("flex items-center gap-1.5 border-t px-3 py-1.5 text-xs font-medium", STATUS_STYLE[status].className)} data-testid={`node-status-${id}`}>
          <StatusIcon status={status} />
          {STATUS_STYLE[status].label}
          {progress ? <span className="ml-auto font-normal text-zinc-500" data-testid={`node-items-${id}`}>{progress}</span> : null}
        </div>
      ) : null}
      {status && streamed ? (
        <div className="nowheel max-h-24 overflow-y-auto whitespace-pre-wrap border-t bg-zinc-50 px-3 py-1.5 font-mono text-[10px] text-zinc-700" data-testid={`node-stream-${id}`}>
          {streamed.length > 600 ? `…${streamed.slice(-600)}` : streamed}
        </div>
      ) : null}
    </div>
  );
}

// A node's type never changes, so choosing the component by it keeps hooks in a stable order.
export const WeftNodeComponent = memo(function WeftNodeSwitch(props: NodeProps<WeftFlowNode>) {
  return nodeRegistry[props.data.kind]?.container ? <LoopContainer {...props} /> : <WeftNodeView {...props} />;
});
