"use client";

import { useEffect, useRef, useState } from "react";
import { Send, Square } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";
import { MessageView } from "./message-view";
import type { ChatAppInfo, ChatState } from "./use-chat";

/**
 * The open conversation and the composer, shared by the hosted page and the embedded widget:
 * welcome text and suggested questions on an empty conversation, the messages (Markdown,
 * feedback, regenerate, the forms of waits), errors, Send / Stop (Stop also cancels a turn held by a wait).
 */
export function ChatThread({ app, chat, compact = false }: { app: ChatAppInfo; chat: ChatState; compact?: boolean }) {
  const { messages, busy, held, error, send, answer, stop, feedback } = chat;
  const [draft, setDraft] = useState("");
  const bottom = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // A block body: an effect must return nothing or a cleanup function, never scrollIntoView's result.
    bottom.current?.scrollIntoView({ block: "end" });
  }, [messages]);

  const submit = () => {
    const text = draft.trim();
    if (!text || busy || held) return;
    setDraft("");
    void send({ message: text });
  };

  return (
    <>
      <div className={`flex-1 space-y-3 overflow-y-auto ${compact ? "p-3" : "p-4"}`} data-testid="chat-messages">
        {messages.length === 0 ? (
          <div className={`mx-auto max-w-xl space-y-3 text-center ${compact ? "pt-4" : "pt-10"}`}>
            {app.welcome ? <p className="text-sm text-muted-foreground">{app.welcome}</p> : null}
            <div className="flex flex-wrap justify-center gap-2">
              {app.suggestions.map((s) => (
                <Button key={s} variant="outline" size="sm" onClick={() => void send({ message: s })} disabled={!!busy} data-testid="chat-suggestion">
                  {s}
                </Button>
              ))}
            </div>
          </div>
        ) : null}
        {messages.map((m, i) => (
          <MessageView key={m.id} message={m} last={i === messages.length - 1} busy={!!busy} onFeedback={feedback(m.id)} onRegenerate={() => void send({ regenerate: true })} onAnswer={answer} />
        ))}
        {error ? <p className="text-sm text-destructive" role="alert">{error}</p> : null}
        <div ref={bottom} />
      </div>
      <form
        className={`flex items-end gap-2 border-t ${compact ? "p-2" : "p-3"}`}
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Textarea
          aria-label="Message"
          rows={compact ? 1 : 2}
          value={draft}
          placeholder="Write a message…"
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              submit();
            }
          }}
          data-testid="chat-input"
        />
        {busy || held ? (
          <Button type="button" variant="outline" onClick={() => void stop()} data-testid="chat-stop">
            <Square aria-hidden /> Stop
          </Button>
        ) : (
          <Button type="submit" disabled={!draft.trim()} data-testid="chat-send">
            <Send aria-hidden /> Send
          </Button>
        )}
      </form>
    </>
  );
}
