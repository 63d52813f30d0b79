"use client";

import Link from "next/link";
import { ExternalLink, X } from "lucide-react";
import { useMemo } from "react";
import { nodeTitle } from "@/lib/editor/node-title";
import { isTerminalRunStatus, nodeRunStatus } from "@/lib/editor/run-overlay";
import { Button } from "@/components/ui/button";
import { StatusBadge } from "@/components/ui/status-badge";
import { CancelRunButton } from "@/components/runs/cancel-run-button";
import { LiveWaits } from "@/components/runs/live-waits";
import { JsonView } from "./json-view";
import { useEditor } from "./store-context";

/** The run being watched: status, final output or error, and each node's result. */
export function RunPanel() {
  const overlay = useEditor((s) => s.overlay);
  // Ids and titles as one string: the panel re-renders when a title changes, not on every drag frame.
  const stepKey = useEditor((s) => (s.overlay ? s.nodes.map((n) => `${n.id}\t${nodeTitle(n.data.kind, n.data.config)}`).join("\n") : ""));
  const steps = useMemo(() => (stepKey ? stepKey.split("\n").map((line) => line.split("\t") as [string, string]) : []), [stepKey]);
  const titleOf = (id: string) => steps.find(([nodeId]) => nodeId === id)?.[1] ?? id;
  const selectNode = useEditor((s) => s.selectNode);
  const clearRun = useEditor((s) => s.clearRun);
  const readOnly = useEditor((s) => s.readOnly);
  if (!overlay) return null;
  const terminal = isTerminalRunStatus(overlay.status);
  // The forms of pending approvals/questions are re-read whenever the set of waiting steps changes.
  const waitingSteps = Object.entries(overlay.steps).filter(([, step]) => step.status === "waiting").map(([id, step]) => `${id}:${step.iteration}`);

  return (
    <section className="flex max-h-[50%] min-h-0 flex-col border-t bg-white" data-testid="run-panel" data-run-id={overlay.runId} aria-label="Run">
      <header className="flex items-center gap-2 border-b px-4 py-2">
        <h2 className="text-sm font-semibold">Run</h2>
        <StatusBadge status={overlay.status} data-testid="run-status" />
        {!terminal && !readOnly ? <CancelRunButton runId={overlay.runId} /> : null}
        <Link href={`/runs/${overlay.runId}`} className="ml-auto inline-flex items-center gap-1 text-xs font-medium underline-offset-2 hover:underline" data-testid="run-open-link">
          Open in Runs <ExternalLink className="size-3" aria-hidden />
        </Link>
        <Button variant="ghost" size="icon-sm" aria-label="Clear" title={terminal ? "Clear the run from the canvas" : "Stop watching this run"} onClick={clearRun} data-testid="run-clear">
          <X aria-hidden />
        </Button>
      </header>
      <div className="min-h-0 space-y-3 overflow-y-auto px-4 py-3">
        {overlay.error ? (
          <div className="rounded-md border border-red-200 bg-red-50 p-2 text-xs text-red-800" data-testid="run-error">
            <p className="font-medium">
              The run failed{overlay.error.nodeId ? ` at ${titleOf(overlay.error.nodeId)}` : ""}: <span className="font-mono">{overlay.error.code}</span>
            </p>
            <p>{overlay.error.message}</p>
          </div>
        ) : null}
        {overlay.output ? (
          <div>
            <p className="mb-1 text-xs font-medium text-muted-foreground">Output</p>
            <JsonView value={overlay.output} testId="run-output" />
          </div>
        ) : !terminal ? (
          <p className="text-xs text-muted-foreground">
            {overlay.status === "queued" && overlay.throttled ? `Throttled: ${overlay.throttled}. The run continues on its own (it holds no worker meanwhile)…` : overlay.status === "queued" ? "Waiting for a worker…" : overlay.status === "waiting" ? "Waiting for an answer (the run holds no worker meanwhile)…" : "Running…"}
          </p>
        ) : null}
        {/* A running step may hold a wait without waiting itself (an MCP question, an Agent's tool approval): polled while running. */}
        {!terminal && (waitingSteps.length > 0 || overlay.status === "running") ? (
          <LiveWaits runId={overlay.runId} watchKey={`${overlay.status}|${waitingSteps.sort().join(",")}`} canAnswer={!readOnly} pollMs={overlay.status === "running" ? 3_000 : undefined} />
        ) : null}
        <div>
          <p className="mb-1 text-xs font-medium text-muted-foreground">Steps</p>
          <ul className="space-y-1">
            {steps.map(([id, title]) => {
              const step = overlay.steps[id];
              return (
                <li key={id}>
                  <button
                    type="button"
                    onClick={() => selectNode(id)}
                    className="flex w-full min-w-0 items-center gap-2 rounded px-1.5 py-1 text-left text-xs hover:bg-zinc-50"
                    data-testid={`run-step-${id}`}
                    title={`Node id: ${id}`}
                  >
                    <span className="truncate font-medium" data-testid={`run-step-title-${id}`}>
                      {title}
                    </span>
                    {step?.branch ? <span className="text-muted-foreground">→ {step.branch}</span> : null}
                    {step?.origin ? (
                      <span className="rounded bg-violet-100 px-1 text-[10px] text-violet-800" data-testid={`run-step-origin-${id}`}>
                        {step.origin === "pinned" ? "pinned" : "disabled"}
                      </span>
                    ) : null}
                    <StatusBadge status={nodeRunStatus(overlay, id)} className="ml-auto" data-testid={`run-step-status-${id}`} />
                  </button>
                </li>
              );
            })}
          </ul>
          <p className="mt-1 text-[11px] text-muted-foreground">Click a step (or a node) to see its output in the inspector.</p>
        </div>
      </div>
    </section>
  );
}
