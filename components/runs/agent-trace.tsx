import type { ReactNode } from "react";
import type { AgentDetail, AgentToolCallRecord, AgentTurn } from "@/lib/nodes/agent/trace";
import { cn, formatDuration, formatNumber } from "@/lib/utils";
import { CitationList } from "./citation-list";
import { JsonView } from "./json-view";

const STOP_REASON: Record<string, string> = {
  answer: "Answered",
  stop_tool: "Stop tool called",
  max_iterations: "Iteration limit",
};

const CALL_STYLE: Record<AgentToolCallRecord["status"], string> = {
  ok: "border-amber-200 bg-amber-50/40",
  error: "border-red-200 bg-red-50/50",
  not_run: "border-dashed border-zinc-300 bg-zinc-50",
};

const CALL_STATUS: Record<AgentToolCallRecord["status"], string> = { ok: "ok", error: "failed", not_run: "not run" };

function Stat({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div>
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-xs tabular-nums" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

type Progress = NonNullable<AgentToolCallRecord["progress"]>[number];
const progressText = (p: Progress) => `${p.total !== undefined ? `${p.progress}/${p.total}` : p.progress}${p.message ? ` ${p.message}` : ""}`;

/** How a person decided on a call of a tool that requires approval. */
function ApprovalLine({ approval }: { approval: NonNullable<AgentToolCallRecord["approval"]> }) {
  const decided = approval.decision === "approve" ? "Approved" : approval.decision === "reject" ? "Rejected" : approval.status === "timed_out" ? "Not decided in time" : "Not approved";
  return (
    <p className="text-xs" data-testid="agent-tool-approval" data-decision={approval.decision ?? approval.status}>
      <span className="font-medium">{decided}</span>
      {approval.by ? ` by ${approval.by}` : ""}
      {approval.comment ? `: ${approval.comment}` : ""}
    </p>
  );
}

function ToolCallItem({ call }: { call: AgentToolCallRecord }) {
  return (
    <li className={cn("space-y-2 rounded-md border p-3", CALL_STYLE[call.status])} data-testid="agent-tool-call" data-status={call.status}>
      <div className="flex flex-wrap items-center gap-2 text-xs">
        <span className="font-mono font-semibold">{call.name}</span>
        <span className={cn("rounded px-1.5 py-0.5 uppercase", call.status === "error" ? "bg-red-100 text-red-800" : call.status === "ok" ? "bg-green-100 text-green-800" : "bg-zinc-100 text-zinc-600")}>
          {CALL_STATUS[call.status]}
        </span>
        {call.durationMs !== undefined ? <span className="tabular-nums text-muted-foreground">{formatDuration(call.durationMs)}</span> : null}
        <span className="ml-auto font-mono text-muted-foreground">call #{call.callIndex}</span>
      </div>
      <div>
        <p className="mb-1 text-[10px] uppercase tracking-wide text-muted-foreground">Arguments</p>
        <JsonView value={call.args} className="max-h-40" />
      </div>
      {call.approval ? <ApprovalLine approval={call.approval} /> : null}
      {call.progress?.length ? (
        <p className="text-xs text-muted-foreground" data-testid="agent-tool-progress">
          Progress: {call.progress.length} report{call.progress.length === 1 ? "" : "s"}, last {progressText(call.progress[call.progress.length - 1]!)}
        </p>
      ) : null}
      {call.serverRequests ? (
        <div data-testid="agent-tool-server-requests">
          <p className="mb-1 text-[10px] uppercase tracking-wide text-muted-foreground">What the tool&apos;s server asked (sampling, questions)</p>
          <JsonView value={call.serverRequests} className="max-h-60" />
        </div>
      ) : null}
      {call.error ? (
        <p className="text-xs text-red-700">
          <code className="font-mono">{call.error.code}</code>: {call.error.message}
        </p>
      ) : call.citations ? (
        <div>
          <p className="mb-1 text-[10px] uppercase tracking-wide text-muted-foreground">Citations</p>
          <CitationList citations={call.citations} />
        </div>
      ) : call.result !== undefined ? (
        <div>
          <p className="mb-1 text-[10px] uppercase tracking-wide text-muted-foreground">Result</p>
          <JsonView value={call.result} className="max-h-40" />
        </div>
      ) : null}
    </li>
  );
}

function Turn({ turn }: { turn: AgentTurn }) {
  return (
    <li className="space-y-2 rounded-md border p-3" data-testid={`agent-turn-${turn.iteration}`}>
      <div className="flex flex-wrap items-center gap-3 text-xs text-muted-foreground">
        <span className="font-semibold uppercase tracking-wide text-foreground">Turn {turn.iteration}</span>
        <span className="tabular-nums">{formatDuration(turn.durationMs)}</span>
        <span className="tabular-nums">
          {formatNumber(turn.usage.promptTokens)} in · {formatNumber(turn.usage.completionTokens)} out
        </span>
        {turn.finishReason ? <span>finish: {turn.finishReason}</span> : null}
      </div>
      {turn.text ? <p className="whitespace-pre-wrap break-words rounded-md border border-green-200 bg-green-50/50 p-3 text-sm">{turn.text}</p> : null}
      {turn.toolCalls.length > 0 ? <ol className="space-y-2">{turn.toolCalls.map((call) => <ToolCallItem key={`${call.callIndex}-${call.id}`} call={call} />)}</ol> : null}
    </li>
  );
}

/** An Agent step: the prompts, then each model turn with its answer and the tool calls it made. */
export function AgentTrace({ detail, output }: { detail: AgentDetail; output: unknown }) {
  const prompts = detail.turns[0]?.messagesIn ?? [];
  const text = (output as { text?: unknown } | null)?.text;
  const toolCount = detail.turns.reduce((sum, t) => sum + t.toolCalls.filter((c) => c.status !== "not_run").length, 0);
  return (
    <div className="space-y-4" data-testid="agent-trace">
      <dl className="grid grid-cols-2 gap-3 rounded-md border p-3 sm:grid-cols-3 lg:grid-cols-6">
        <Stat label="Model">
          <span className="font-mono">{detail.model}</span>
        </Stat>
        <Stat label="Iterations" testId="agent-iterations">
          {detail.turns.length} / {detail.maxIterations}
        </Stat>
        <Stat label="Tool calls">{toolCount}</Stat>
        <Stat label="Stopped" testId="agent-stop-reason">
          {detail.stopReason ? (STOP_REASON[detail.stopReason] ?? detail.stopReason) : "—"}
        </Stat>
        <Stat label="Total tokens">{formatNumber(detail.usage.totalTokens)}</Stat>
        <Stat label="Tools offered">{detail.tools.map((t) => t.name).join(", ") || "none"}</Stat>
      </dl>

      <section className="space-y-2">
        <h4 className="text-xs font-medium uppercase tracking-wide text-muted-foreground">Prompt</h4>
        <ol className="space-y-2">
          {prompts.map((message, index) => (
            <li key={index} className={cn("rounded-md border p-3", message.role === "system" ? "border-zinc-200 bg-zinc-50" : "border-blue-200 bg-blue-50/50")}>
              <p className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted-foreground">{message.role}</p>
              <p className="whitespace-pre-wrap break-words text-sm">{message.content}</p>
            </li>
          ))}
        </ol>
      </section>

      <section className="space-y-2">
        <h4 className="text-xs font-medium uppercase tracking-wide text-muted-foreground">Turns</h4>
        <ol className="space-y-3">
          {detail.turns.map((turn) => (
            <Turn key={turn.iteration} turn={turn} />
          ))}
        </ol>
      </section>

      {typeof text === "string" ? (
        <section className="space-y-2">
          <h4 className="text-xs font-medium uppercase tracking-wide text-muted-foreground">Answer</h4>
          <p className="whitespace-pre-wrap break-words rounded-md border border-green-200 bg-green-50/50 p-3 text-sm" data-testid="agent-answer">
            {text}
          </p>
        </section>
      ) : null}
    </div>
  );
}
