import { formatCost } from "@/lib/models/cost";
import type { LlmDetail } from "@/lib/runs/queries";
import { cn, formatNumber } from "@/lib/utils";
import { JsonView } from "./json-view";

const ROLE_STYLE: Record<string, string> = {
  system: "border-zinc-200 bg-zinc-50",
  user: "border-blue-200 bg-blue-50/50",
  assistant: "border-green-200 bg-green-50/50",
  tool: "border-amber-200 bg-amber-50/50",
};

/** Text of the model's answer: the step output's `text`, else the trailing assistant message. */
function responseText(detail: LlmDetail, output: unknown): string | null {
  const text = (output as { text?: unknown } | null)?.text;
  if (typeof text === "string") return text;
  const last = detail.messages[detail.messages.length - 1];
  return last?.role === "assistant" ? last.content : null;
}

/** What was sent to the model and what came back: messages, response, model and usage. */
export function LlmTrace({ detail, output }: { detail: LlmDetail; output: unknown }) {
  const response = responseText(detail, output);
  // The recorded conversation ends with the answer; show it once, under Response.
  const last = detail.messages[detail.messages.length - 1];
  const prompt =
    last?.role === "assistant" && response !== null && last.content === response
      ? detail.messages.slice(0, -1)
      : detail.messages;
  const usage = detail.usage;
  const json = (output as { json?: unknown } | null)?.json;

  return (
    <div className="space-y-4" data-testid="llm-trace">
      <dl className="grid grid-cols-2 gap-3 rounded-md border p-3 text-sm sm:grid-cols-3 lg:grid-cols-6">
        <div>
          <dt className="text-xs text-muted-foreground">Model</dt>
          <dd className="font-mono text-xs" data-testid="llm-model">{detail.model}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Temperature</dt>
          <dd className="tabular-nums">{detail.temperature ?? "default"}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Finish reason</dt>
          <dd>{detail.finishReason ?? "—"}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Prompt tokens</dt>
          <dd className="tabular-nums">{usage ? formatNumber(usage.promptTokens) : "—"}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Completion tokens</dt>
          <dd className="tabular-nums">{usage ? formatNumber(usage.completionTokens) : "—"}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Total tokens</dt>
          <dd className="tabular-nums">{usage ? formatNumber(usage.totalTokens) : "—"}</dd>
        </div>
        {detail.cost ? (
          <div>
            <dt className="text-xs text-muted-foreground">Cost</dt>
            <dd className="tabular-nums">{formatCost(detail.cost)}</dd>
          </div>
        ) : null}
      </dl>

      {detail.attempts && (detail.alias || detail.attempts.length > 1) ? (
        <section className="space-y-1" data-testid="llm-attempts">
          <h4 className="text-xs font-medium uppercase tracking-wide text-muted-foreground">
            {detail.alias ? `Model alias ${detail.alias}: models tried` : "Models tried"}
          </h4>
          <ol className="space-y-1 text-xs">
            {detail.attempts.map((attempt, index) => (
              <li key={index} className={cn("rounded border px-2 py-1", attempt.ok ? "border-green-200 bg-green-50/50" : "border-amber-200 bg-amber-50/50")}>
                <span className="font-mono">{attempt.model}</span> — {attempt.ok ? "answered" : `${attempt.error?.code ?? "failed"}: ${attempt.error?.message ?? ""}`}{" "}
                <span className="text-muted-foreground">({attempt.durationMs} ms)</span>
              </li>
            ))}
          </ol>
        </section>
      ) : null}

      <section className="space-y-2">
        <h4 className="text-xs font-medium uppercase tracking-wide text-muted-foreground">Messages</h4>
        <ol className="space-y-2" data-testid="llm-messages">
          {prompt.map((message, index) => (
            <li
              key={index}
              className={cn("rounded-md border p-3", ROLE_STYLE[message.role] ?? "border-zinc-200")}
              data-role={message.role}
            >
              <p className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted-foreground">{message.role}</p>
              <p className="whitespace-pre-wrap break-words text-sm">{message.content}</p>
            </li>
          ))}
        </ol>
      </section>

      <section className="space-y-2">
        <h4 className="text-xs font-medium uppercase tracking-wide text-muted-foreground">Response</h4>
        {response !== null ? (
          <p
            className="whitespace-pre-wrap break-words rounded-md border border-green-200 bg-green-50/50 p-3 text-sm"
            data-testid="llm-response"
          >
            {response}
          </p>
        ) : (
          <p className="text-sm text-muted-foreground">No response.</p>
        )}
        {json !== undefined ? <JsonView value={json} /> : null}
      </section>
    </div>
  );
}
