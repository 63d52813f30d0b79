"use client";

import { useState, type FormEvent } from "react";
import { Check, X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { ApprovalRequestSchema } from "@/lib/nodes/approval/definition";
import { QuestionRequestSchema, questionAnswerSchema, type QuestionField } from "@/lib/nodes/question/definition";
import type { WaitView } from "@/lib/runs/waits";
import { cn } from "@/lib/utils";

type FieldErrors = Record<string, string>;

/** What a refused answer shows: the message and the field issues keyed by field name; null when it was accepted. */
export type AnswerProblem = { message: string; fields: FieldErrors } | null;
/** Sends an answer body (an approval's decision or a question's fields). */
export type SendAnswer = (body: unknown) => Promise<AnswerProblem>;
/** The part of a wait its form needs (the run page's WaitView or the chat's pending wait). */
export type AnswerableWait = Pick<WaitView, "id" | "nodeId" | "request">;

/** The problem of an answer's response (null when it is ok). */
export async function answerProblem(response: Response): Promise<AnswerProblem> {
  if (response.ok) return null;
  const payload = (await response.json().catch(() => null)) as { error?: { message?: string; issues?: { path: string; message: string }[] } } | null;
  const fields: FieldErrors = {};
  for (const issue of payload?.error?.issues ?? []) fields[issue.path.replace(/^answer\./, "") || "_"] = issue.message;
  return { message: payload?.error?.message ?? `The answer was not accepted (${response.status}).`, fields };
}

/** POSTs an answer to the run's wait (Inbox, run page). */
async function sendAnswer(wait: Pick<WaitView, "id" | "runId">, body: unknown): Promise<AnswerProblem> {
  try {
    const response = await fetch(`/api/runs/${wait.runId}/waits/${wait.id}/answer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return await answerProblem(response);
  } catch {
    return { message: "The server did not answer; try again.", fields: {} };
  }
}

function ErrorLine({ text, testId }: { text: string | undefined; testId?: string }) {
  if (!text) return null;
  return (
    <p className="text-xs text-red-700" role="alert" data-testid={testId}>
      {text}
    </p>
  );
}

/** Approve / reject with an optional comment. */
function ApprovalForm({ wait, send, onAnswered }: { wait: AnswerableWait; send: SendAnswer; onAnswered: () => void }) {
  const request = ApprovalRequestSchema.safeParse(wait.request).data;
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState<"approve" | "reject" | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function decide(decision: "approve" | "reject") {
    setBusy(decision);
    setError(null);
    const failed = await send({ decision, comment });
    setBusy(null);
    if (failed) setError(failed.message);
    else onAnswered();
  }

  return (
    <div className="space-y-3" data-testid={`wait-form-${wait.nodeId}`} data-kind="approval">
      <div className="space-y-1">
        <p className="text-sm font-medium" data-testid="wait-title">
          {request?.title || "Approval needed"}
        </p>
        {request?.message ? <p className="whitespace-pre-wrap text-sm text-muted-foreground">{request.message}</p> : null}
        {request?.assigneeRole ? <p className="text-xs text-muted-foreground">Only a {request.assigneeRole} or above may decide.</p> : null}
      </div>
      <div className="space-y-1.5">
        <Label htmlFor={`comment-${wait.id}`} className="text-xs">
          Comment (optional)
        </Label>
        <Textarea id={`comment-${wait.id}`} rows={2} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="wait-comment" />
      </div>
      <ErrorLine text={error ?? undefined} testId="wait-error" />
      <div className="flex gap-2">
        <Button size="sm" onClick={() => decide("approve")} disabled={busy !== null} data-testid="wait-approve">
          <Check aria-hidden /> {busy === "approve" ? "Approving…" : "Approve"}
        </Button>
        <Button size="sm" variant="outline" onClick={() => decide("reject")} disabled={busy !== null} data-testid="wait-reject">
          <X aria-hidden /> {busy === "reject" ? "Rejecting…" : "Reject"}
        </Button>
      </div>
    </div>
  );
}

type Draft = Record<string, string | boolean>;

function initialDraft(fields: readonly QuestionField[]): Draft {
  return Object.fromEntries(fields.map((f) => [f.name, f.type === "boolean" ? f.default === true : f.default === null ? "" : String(f.default)]));
}

/** The typed answer from what the inputs hold: empty optional fields are left out, numbers parsed. */
function answerFrom(fields: readonly QuestionField[], draft: Draft): Record<string, unknown> {
  const answer: Record<string, unknown> = {};
  for (const field of fields) {
    const value = draft[field.name];
    if (field.type === "boolean") answer[field.name] = value === true;
    else if (value === "" || value === undefined) continue;
    else answer[field.name] = field.type === "number" ? Number(value) : value;
  }
  return answer;
}

function FieldInput({ field, id, value, onChange }: { field: QuestionField; id: string; value: string | boolean; onChange: (value: string | boolean) => void }) {
  if (field.type === "boolean") {
    return (
      <label className="flex items-center gap-2 text-sm" htmlFor={id}>
        <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} data-testid={`wait-field-${field.name}`} />
        {field.label || field.name}
      </label>
    );
  }
  if (field.type === "select") {
    return (
      <select
        id={id}
        className="flex h-9 w-full rounded-md border border-input bg-background px-2 py-1 text-sm shadow-sm"
        value={String(value)}
        onChange={(e) => onChange(e.target.value)}
        data-testid={`wait-field-${field.name}`}
      >
        <option value="">Choose…</option>
        {field.options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    );
  }
  return (
    <Input
      id={id}
      type={field.type === "number" ? "number" : "text"}
      step={field.type === "number" ? "any" : undefined}
      value={String(value)}
      onChange={(e) => onChange(e.target.value)}
      data-testid={`wait-field-${field.name}`}
    />
  );
}

/** One input per declared field, checked with the same schema the server uses before it is sent. */
function QuestionForm({ wait, send, onAnswered }: { wait: AnswerableWait; send: SendAnswer; onAnswered: () => void }) {
  const request = QuestionRequestSchema.safeParse(wait.request).data;
  const fields = request?.fields ?? [];
  const [draft, setDraft] = useState<Draft>(() => initialDraft(fields));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = answerFrom(fields, draft);
    const checked = questionAnswerSchema(fields).safeParse(answer);
    if (!checked.success) {
      setErrors(Object.fromEntries(checked.error.issues.map((i) => [i.path.map(String).join(".") || "_", i.message])));
      setError("Some answers are missing or invalid.");
      return;
    }
    setBusy(true);
    setErrors({});
    setError(null);
    const failed = await send(answer);
    setBusy(false);
    if (failed) {
      setErrors(failed.fields);
      setError(failed.message);
    } else onAnswered();
  }

  return (
    <form className="space-y-3" onSubmit={submit} data-testid={`wait-form-${wait.nodeId}`} data-kind="question" noValidate>
      <div className="space-y-1">
        {request?.title ? (
          <p className="text-sm font-medium" data-testid="wait-title">
            {request.title}
          </p>
        ) : null}
        <p className="whitespace-pre-wrap text-sm">{request?.prompt}</p>
      </div>
      {fields.map((field) => {
        const id = `${wait.id}-${field.name}`;
        return (
          <div key={field.name} className="space-y-1">
            {field.type === "boolean" ? null : (
              <Label htmlFor={id} className="text-xs">
                {field.label || field.name}
                {field.required ? <span className="text-red-700"> *</span> : null}
              </Label>
            )}
            <FieldInput field={field} id={id} value={draft[field.name] ?? ""} onChange={(value) => setDraft({ ...draft, [field.name]: value })} />
            {field.description ? <p className="text-xs text-muted-foreground">{field.description}</p> : null}
            <ErrorLine text={errors[field.name]} />
          </div>
        );
      })}
      <ErrorLine text={error ?? undefined} testId="wait-error" />
      <Button size="sm" type="submit" disabled={busy} data-testid="wait-submit">
        {busy ? "Sending…" : "Send answer"}
      </Button>
    </form>
  );
}

/** What a resolved wait ended with: the decision or the answer, who and when. */
export function WaitOutcome({ wait }: { wait: WaitView }) {
  const who = wait.answeredBy?.name;
  const when = wait.answeredAt ? new Date(wait.answeredAt).toLocaleString() : null;
  let text: string;
  if (wait.status === "timed_out") text = "Timed out";
  else if (wait.status === "cancelled") text = "Cancelled";
  else if (wait.kind === "approval") text = wait.answer?.decision === "approve" ? "Approved" : "Rejected";
  else text = "Answered";
  return (
    <div className="space-y-1 text-sm" data-testid={`wait-outcome-${wait.nodeId}`} data-status={wait.status}>
      <p>
        <span className={cn("font-medium", text === "Approved" && "text-green-700", text === "Rejected" && "text-red-700")}>{text}</span>
        {who ? ` by ${who}` : ""}
        {when ? <span className="text-muted-foreground"> · {when}</span> : null}
      </p>
      {wait.kind === "approval" && typeof wait.answer?.comment === "string" && wait.answer.comment ? (
        <p className="whitespace-pre-wrap text-muted-foreground">“{wait.answer.comment}”</p>
      ) : null}
      {wait.kind === "question" && wait.answer ? (
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 text-xs">
          {Object.entries(wait.answer).map(([name, value]) => (
            <div key={name} className="contents">
              <dt className="font-mono text-muted-foreground">{name}</dt>
              <dd>{JSON.stringify(value)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </div>
  );
}

/**
 * A pending approval or question with its form (when the viewer may answer), or the request
 * alone for viewers; a resolved one shows its outcome.
 */
export function WaitAnswerForm({ wait, canAnswer, onAnswered }: { wait: WaitView; canAnswer: boolean; onAnswered: () => void }) {
  if (wait.status !== "pending") return <WaitOutcome wait={wait} />;
  if (wait.kind === "subworkflow") return <p className="text-sm text-muted-foreground">Waiting for the sub-workflow run{wait.childRunId ? ` ${wait.childRunId}` : ""} to finish.</p>;
  if (!canAnswer) {
    const request = (wait.kind === "approval" ? ApprovalRequestSchema : QuestionRequestSchema).safeParse(wait.request).data as { title?: string } | undefined;
    return (
      <div className="space-y-1 text-sm" data-testid={`wait-readonly-${wait.nodeId}`}>
        <p className="font-medium">{request?.title || (wait.kind === "approval" ? "Approval needed" : "Question")}</p>
        <p className="text-xs text-muted-foreground">Waiting for an editor to {wait.kind === "approval" ? "decide" : "answer"}. Viewers cannot answer.</p>
      </div>
    );
  }
  return <PersonWaitForm wait={wait} kind={wait.kind} send={(body) => sendAnswer(wait, body)} onAnswered={onAnswered} />;
}

/** The approve/reject buttons or the question's form of a pending wait, sending through `send` (the chat page posts to its own route). */
export function PersonWaitForm({ wait, kind, send, onAnswered }: { wait: AnswerableWait; kind: "approval" | "question"; send: SendAnswer; onAnswered: () => void }) {
  return kind === "approval" ? <ApprovalForm wait={wait} send={send} onAnswered={onAnswered} /> : <QuestionForm wait={wait} send={send} onAnswered={onAnswered} />;
}
