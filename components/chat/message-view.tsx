"use client";

import { useState } from "react";
import ReactMarkdown from "react-markdown";
import rehypeSanitize from "rehype-sanitize";
import remarkGfm from "remark-gfm";
import { RotateCcw, ThumbsDown, ThumbsUp } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { PersonWaitForm, type SendAnswer } from "@/components/runs/wait-answer-form";
import type { ChatWait } from "@/lib/chat/pending-waits";

export interface ChatMessageView {
  id: string;
  role: string;
  content: string;
  status: string;
  rating?: number | null;
  feedbackComment?: string | null;
  citations?: unknown;
  /** The approvals and questions a pending answer waits for. */
  waits?: ChatWait[];
}

interface Citation {
  citation: number;
  documentName: string;
  page: number | null;
  section: string | null;
}

/** Markdown (GitHub flavour, sanitised: no raw HTML reaches the page) with code blocks. */
export function Markdown({ text }: { text: string }) {
  return (
    <div className="prose prose-sm max-w-none break-words dark:prose-invert [&_pre]:overflow-x-auto [&_pre]:rounded-md [&_pre]:bg-muted [&_pre]:p-3 [&_code]:font-mono">
      <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={[rehypeSanitize]}>
        {text}
      </ReactMarkdown>
    </div>
  );
}

function Citations({ citations }: { citations: unknown }) {
  if (!Array.isArray(citations) || citations.length === 0) return null;
  return (
    <ol className="mt-2 space-y-0.5 border-t pt-2 text-xs text-muted-foreground" data-testid="chat-citations">
      {(citations as Citation[]).map((c, i) => (
        <li key={i}>
          [{c.citation}] {c.documentName}
          {c.page !== null ? `, p. ${c.page}` : ""}
          {c.section ? ` — ${c.section}` : ""}
        </li>
      ))}
    </ol>
  );
}

function Feedback({ message, onFeedback }: { message: ChatMessageView; onFeedback: (rating: 1 | -1 | null, comment?: string) => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const [comment, setComment] = useState(message.feedbackComment ?? "");
  const rate = async (rating: 1 | -1) => {
    const next = message.rating === rating ? null : rating;
    await onFeedback(next, comment || undefined);
    setAsking(next !== null);
  };
  return (
    <div className="mt-1 flex flex-wrap items-center gap-1">
      <Button variant="ghost" size="sm" aria-label="Good answer" aria-pressed={message.rating === 1} onClick={() => void rate(1)} data-testid="chat-thumbs-up">
        <ThumbsUp className={message.rating === 1 ? "fill-current" : ""} aria-hidden />
      </Button>
      <Button variant="ghost" size="sm" aria-label="Bad answer" aria-pressed={message.rating === -1} onClick={() => void rate(-1)} data-testid="chat-thumbs-down">
        <ThumbsDown className={message.rating === -1 ? "fill-current" : ""} aria-hidden />
      </Button>
      {asking && message.rating ? (
        <form
          className="flex items-center gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            void onFeedback(message.rating as 1 | -1, comment).then(() => setAsking(false));
          }}
        >
          <Input aria-label="Feedback comment" placeholder="Tell us more (optional)" value={comment} onChange={(e) => setComment(e.target.value)} className="h-8 w-64" data-testid="chat-feedback-comment" />
          <Button size="sm" type="submit" data-testid="chat-feedback-send">
            Send
          </Button>
        </form>
      ) : message.feedbackComment ? (
        <span className="text-xs text-muted-foreground">“{message.feedbackComment}”</span>
      ) : null}
    </div>
  );
}

export function MessageView(props: {
  message: ChatMessageView;
  last: boolean;
  busy: boolean;
  onFeedback: (rating: 1 | -1 | null, comment?: string) => Promise<void>;
  onRegenerate: () => void;
  onAnswer: (messageId: string, waitId: string) => SendAnswer;
}) {
  const { message, last, busy } = props;
  if (message.role === "user") {
    return (
      <div className="ml-auto max-w-[80%] whitespace-pre-wrap rounded-lg bg-primary px-3 py-2 text-sm text-primary-foreground" data-testid="chat-user-message">
        {message.content}
      </div>
    );
  }
  const pending = message.status === "pending";
  return (
    <div className="max-w-[90%] rounded-lg border bg-card px-3 py-2" data-testid="chat-assistant-message" data-status={message.status}>
      {message.content ? <Markdown text={message.content} /> : pending && !message.waits?.length ? <span className="text-sm text-muted-foreground">Thinking…</span> : null}
      {pending
        ? message.waits?.map((wait) => (
            <div key={wait.id} className="mt-2 rounded-md border border-amber-300 bg-amber-50 p-3 dark:bg-amber-950" data-testid="chat-wait">
              <PersonWaitForm wait={wait} kind={wait.kind} send={props.onAnswer(message.id, wait.id)} onAnswered={() => undefined} />
            </div>
          ))
        : null}
      {message.status === "failed" ? <p className="text-sm text-destructive">The answer could not be completed.</p> : null}
      {message.status === "cancelled" ? <p className="text-xs text-muted-foreground">Stopped.</p> : null}
      <Citations citations={message.citations} />
      {!pending ? (
        <div className="flex items-center gap-1">
          <Feedback message={message} onFeedback={props.onFeedback} />
          {last && !busy ? (
            <Button variant="ghost" size="sm" onClick={props.onRegenerate} data-testid="chat-regenerate">
              <RotateCcw aria-hidden /> Regenerate
            </Button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
