"use client";

import { useState } from "react";
import { useReactFlow } from "@xyflow/react";
import { AlertTriangle, ChevronDown, ChevronUp, CircleAlert, CheckCircle2 } from "lucide-react";
import { cn } from "@/lib/utils";
import { useEditor } from "./store-context";

/** Every validation problem of the graph; clicking one selects and shows its node. */
export function ProblemsPanel() {
  const problems = useEditor((s) => s.problems);
  const selectNode = useEditor((s) => s.selectNode);
  const { fitView } = useReactFlow();
  const [open, setOpen] = useState(true);
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;

  const focus = (nodeId: string | undefined) => {
    if (!nodeId) return;
    selectNode(nodeId);
    void fitView({ nodes: [{ id: nodeId }], duration: 300, maxZoom: 1.2 });
  };

  return (
    <section className="flex max-h-56 flex-col border-t bg-white" data-testid="problems" aria-label="Problems">
      <button
        type="button"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        className="flex items-center gap-3 px-3 py-1.5 text-left text-xs font-medium hover:bg-zinc-50"
      >
        <span>Problems</span>
        {problems.length === 0 ? (
          <span className="flex items-center gap-1 text-green-700">
            <CheckCircle2 className="size-3.5" aria-hidden /> No problems
          </span>
        ) : (
          <>
            <span className={cn("flex items-center gap-1", errors ? "text-red-600" : "text-muted-foreground")} data-testid="problems-error-count">
              <CircleAlert className="size-3.5" aria-hidden /> {errors} error{errors === 1 ? "" : "s"}
            </span>
            <span className={cn("flex items-center gap-1", warnings ? "text-amber-600" : "text-muted-foreground")}>
              <AlertTriangle className="size-3.5" aria-hidden /> {warnings} warning{warnings === 1 ? "" : "s"}
            </span>
          </>
        )}
        <span className="ml-auto text-muted-foreground">{open ? <ChevronDown className="size-4" /> : <ChevronUp className="size-4" />}</span>
      </button>
      {open && problems.length > 0 ? (
        <ul className="overflow-y-auto border-t pb-1">
          {problems.map((problem, index) => (
            <li key={`${problem.code}-${problem.nodeId ?? ""}-${problem.edgeId ?? ""}-${index}`}>
              <button
                type="button"
                data-testid="problem-item"
                data-severity={problem.severity}
                data-node-id={problem.nodeId}
                disabled={!problem.nodeId}
                onClick={() => focus(problem.nodeId)}
                className="flex w-full items-start gap-2 px-3 py-1 text-left text-xs hover:bg-zinc-50 disabled:cursor-default disabled:hover:bg-transparent"
              >
                {problem.severity === "error" ? (
                  <CircleAlert className="mt-0.5 size-3.5 shrink-0 text-red-600" aria-label="Error" />
                ) : (
                  <AlertTriangle className="mt-0.5 size-3.5 shrink-0 text-amber-600" aria-label="Warning" />
                )}
                <span>{problem.message}</span>
                {problem.nodeId ? <span className="ml-auto shrink-0 font-mono text-[10px] text-muted-foreground">{problem.nodeId}</span> : null}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
