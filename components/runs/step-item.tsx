import { formatCost } from "@/lib/models/cost";
import { ChevronRight } from "lucide-react";
import type { ReactNode } from "react";
import { StatusBadge } from "@/components/ui/status-badge";
import type { RunStepView } from "@/lib/runs/queries";
import { cn, formatDuration, formatNumber } from "@/lib/utils";
import { ErrorBox } from "./error-box";
import { JsonView } from "./json-view";
import { LlmTrace } from "./llm-trace";
import { AgentTrace } from "./agent-trace";
import { AgentDetailSchema } from "@/lib/nodes/agent/trace";
import { KnowledgeStepDetailSchema } from "@/lib/nodes/knowledge/trace";
import { CitationList } from "./citation-list";
import { WarningBadge } from "./warning-badge";
import { stepWarnings } from "@/lib/engine/warnings";

const BAR_COLOUR: Record<RunStepView["status"], string> = {
  running: "bg-blue-500 animate-pulse",
  waiting: "bg-amber-500",
  succeeded: "bg-green-500",
  failed: "bg-red-500",
  skipped: "bg-zinc-300",
};

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="space-y-1.5">
      <h4 className="text-xs font-medium uppercase tracking-wide text-muted-foreground">{title}</h4>
      {children}
    </section>
  );
}

/** Token counts of an LLM step, always visible in the step's header. */
function TokenCounts({ step }: { step: RunStepView }) {
  return (
    <dl className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground" data-testid="step-usage">
      <div className="flex gap-1">
        <dt>Prompt tokens</dt>
        <dd className="font-medium tabular-nums text-foreground">{formatNumber(step.promptTokens)}</dd>
      </div>
      <div className="flex gap-1">
        <dt>Completion tokens</dt>
        <dd className="font-medium tabular-nums text-foreground">{formatNumber(step.completionTokens)}</dd>
      </div>
      <div className="flex gap-1">
        <dt>Total tokens</dt>
        <dd className="font-medium tabular-nums text-foreground">{formatNumber(step.totalTokens)}</dd>
      </div>
      {step.cost ? (
        <div className="flex gap-1">
          <dt>Cost</dt>
          <dd className="font-medium tabular-nums text-foreground" data-testid="step-cost">
            {formatCost(step.cost)}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

/**
 * One step: a summary row (node, status, duration, waterfall bar, tokens, error message) that
 * expands (native <details>, no client JS) to its input, output, error and LLM trace.
 */
/** "pinned" / "disabled" when the step did not execute its node (lib/engine/run-engine.ts records it in the detail). */
function stepOrigin(detail: unknown): "pinned" | "disabled" | null {
  if (typeof detail !== "object" || detail === null) return null;
  const d = detail as { pinned?: unknown; disabled?: unknown };
  return d.pinned === true ? "pinned" : d.disabled === true ? "disabled" : null;
}

export function StepItem({
  step,
  bar,
  liveMs,
  actions,
}: {
  step: RunStepView;
  bar: { left: number; width: number };
  liveMs: number | null;
  /** Buttons shown when the step is open (Re-run from here). */
  actions?: ReactNode;
}) {
  const agent = step.nodeType === "agent" ? AgentDetailSchema.safeParse(step.rawDetail) : null;
  // Views built elsewhere (older callers, tests) may lack the parsed list: the detail holds it too.
  const warnings = step.warnings ?? stepWarnings(step.rawDetail);
  const retrieval = step.nodeType === "knowledge" ? KnowledgeStepDetailSchema.safeParse(step.rawDetail) : null;
  const isLlm = step.llm !== null || step.nodeType === "llm" || agent?.success === true;
  const hasTokens = isLlm || step.totalTokens > 0;
  return (
    <details
      className="group rounded-lg border bg-card"
      data-testid={`step-${step.nodeId}`}
      data-status={step.status}
      data-node-type={step.nodeType}
    >
      <summary className="flex cursor-pointer list-none flex-col gap-2 p-3 hover:bg-muted/40 [&::-webkit-details-marker]:hidden">
        <div className="flex flex-wrap items-center gap-3">
          <ChevronRight className="size-4 shrink-0 text-muted-foreground transition-transform group-open:rotate-90" aria-hidden />
          <div className="min-w-0 flex-1">
            <p className="truncate text-sm font-medium">
              {step.label ?? step.nodeId}
              {step.iteration > 0 ? <span className="ml-1 text-muted-foreground">#{step.iteration}</span> : null}
            </p>
            <p className="truncate font-mono text-xs text-muted-foreground">
              {step.nodeId} · {step.nodeType}
              {step.branch ? ` · branch ${step.branch}` : ""}
              {step.attempt > 1 ? ` · attempt ${step.attempt}` : ""}
            </p>
          </div>
          {stepOrigin(step.rawDetail) ? (
            <span
              className="rounded bg-violet-50 px-1.5 py-0.5 text-xs font-medium text-violet-800"
              data-testid="step-origin"
              title={stepOrigin(step.rawDetail) === "pinned" ? "The editor's pinned output was used; the node did not run" : "The node is disabled: skipped, the flow went on through it"}
            >
              {stepOrigin(step.rawDetail)}
            </span>
          ) : null}
          {step.reusedFromStepId ? (
            <span className="rounded bg-sky-50 px-1.5 py-0.5 text-xs font-medium text-sky-800" data-testid="step-reused" title="Copied from the earlier run this one resumes or re-runs; not executed again">
              reused
            </span>
          ) : null}
          <WarningBadge count={warnings.length} warnings={warnings} testId="step-warnings" />
          <StatusBadge status={step.status} />
          <span className="w-20 text-right text-xs tabular-nums text-muted-foreground" data-testid="step-duration">
            {step.status === "skipped" ? "—" : formatDuration(step.durationMs ?? liveMs)}
          </span>
        </div>
        <div className="relative ml-7 h-1.5 rounded-full bg-muted" aria-hidden>
          {step.status === "skipped" ? null : (
            <div
              className={cn("absolute inset-y-0 rounded-full", BAR_COLOUR[step.status])}
              style={{ left: `${bar.left}%`, width: `${Math.min(bar.width, 100 - bar.left)}%` }}
            />
          )}
        </div>
        {hasTokens || step.error || warnings.length ? (
          <div className="ml-7 space-y-2">
            {hasTokens ? <TokenCounts step={step} /> : null}
            {warnings.map((warning, i) => (
              <p key={i} className="text-xs text-amber-800" data-testid="step-warning">
                {warning.tool ? <span className="font-mono">{warning.tool}</span> : null}
                {warning.tool ? " · " : null}
                <code className="font-mono">{warning.code}</code>: {warning.message}
              </p>
            ))}
            {step.error ? (
              <p className="text-xs text-red-700">
                <code className="font-mono">{step.error.code}</code>: {step.error.message}
              </p>
            ) : null}
          </div>
        ) : null}
      </summary>
      <div className="space-y-4 border-t p-4">
        {actions ? <div className="flex justify-end">{actions}</div> : null}
        {step.error ? (
          <Section title="Error">
            <ErrorBox error={step.error} />
          </Section>
        ) : null}
        {agent?.success ? (
          <AgentTrace detail={agent.data} output={step.output} />
        ) : step.llm ? (
          <>
            <LlmTrace detail={step.llm} output={step.output} />
            {/* Classifier, Parameter extractor: the trace is the model call, the output is what the node made of it. */}
            {step.nodeType !== "llm" ? (
              <Section title="Output">
                <JsonView value={step.output} />
              </Section>
            ) : null}
          </>
        ) : (
          <>
            <Section title="Input">
              <JsonView value={step.input} />
            </Section>
            {retrieval?.success ? (
              <Section title={`Retrieved chunks (${retrieval.data.retrieval.mode}, top ${retrieval.data.retrieval.topK}, ${retrieval.data.retrieval.knowledgeBases.map((kb) => kb.name).join(", ")}${retrieval.data.retrieval.rerank ? `, reranked by ${retrieval.data.retrieval.rerank.model}` : ""})`}>
                <CitationList citations={retrieval.data.retrieval.citations} />
              </Section>
            ) : null}
            <Section title="Output">
              <JsonView value={step.output} />
            </Section>
            {step.rawDetail !== null && step.rawDetail !== undefined && !retrieval?.success ? (
              <Section title="Detail">
                <JsonView value={step.rawDetail} />
              </Section>
            ) : null}
          </>
        )}
      </div>
    </details>
  );
}
