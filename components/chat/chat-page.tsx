"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { Pencil, Plus, Send, Square, Trash2 } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";
import { answerProblem, type SendAnswer } from "@/components/runs/wait-answer-form";
import { readChatEvents } from "@/lib/chat/read-sse";
import type { ChatStreamEvent } from "@/lib/chat/stream";
import { MessageView, type ChatMessageView } from "./message-view";

interface AppInfo {
  title: string;
  welcome: string;
  suggestions: string[];
}
interface ConversationItem {
  id: string;
  title: string;
}

/**
 * The hosted chat page (/chat/<slug>): conversation list, the conversation, the composer. Answers
 * stream from POST /api/chat/<slug>/turns: Answer texts add up, a model's text in progress shows
 * after them until its Answer arrives, and `done` replaces both with the stored message. A Question
 * or approval the run waits for shows as a form in the answer; the answer's POST streams the rest
 * of the turn into the same message. The open conversation is kept in the address (`?c=`), so a
 * reload shows it again, with the form of a wait still pending.
 */
export function ChatPage({ slug }: { slug: string }) {
  const base = `/api/chat/${encodeURIComponent(slug)}`;
  const [app, setApp] = useState<AppInfo | null>(null);
  const [missing, setMissing] = useState(false);
  const [conversations, setConversations] = useState<ConversationItem[]>([]);
  const [current, setCurrent] = useState<string | null>(null);
  const [messages, setMessages] = useState<ChatMessageView[]>([]);
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const bottom = useRef<HTMLDivElement>(null);

  const loadApp = useCallback(async () => {
    const response = await fetch(base);
    if (response.status === 404) return setMissing(true);
    const body = (await response.json()) as { app: AppInfo; conversations: ConversationItem[] };
    setApp(body.app);
    setConversations(body.conversations);
  }, [base]);

  useEffect(() => {
    void loadApp();
    const remembered = new URLSearchParams(window.location.search).get("c");
    if (remembered) void open(remembered);
    // Once per app: the conversation in the address (a reload keeps it open, a pending wait's form included).
  }, [loadApp]);
  useEffect(() => {
    // A block body: an effect must return nothing or a cleanup function, never scrollIntoView's result.
    bottom.current?.scrollIntoView({ block: "end" });
  }, [messages]);

  const remember = (id: string | null) => {
    setCurrent(id);
    window.history.replaceState(null, "", id ? `?c=${encodeURIComponent(id)}` : window.location.pathname);
  };

  const open = async (id: string | null) => {
    remember(id);
    if (!id) return setMessages([]);
    const response = await fetch(`${base}/conversations/${id}`);
    if (response.ok) setMessages(((await response.json()) as { messages: ChatMessageView[] }).messages);
  };

  const patchMessage = (id: string, patch: Partial<ChatMessageView>) => setMessages((list) => list.map((m) => (m.id === id ? { ...m, ...patch } : m)));

  /** Reads a turn's events into its assistant message (from `turn`, or the given message when an answer resumes it). */
  async function follow(body: ReadableStream<Uint8Array>, messageId: string, onTurn?: (event: Extract<ChatStreamEvent, { type: "turn" }>) => void) {
    let answered = "";
    let preview = "";
    let id = messageId;
    if (id) setBusy(id);
    await readChatEvents(body, (event) => {
      if (event.type === "turn") {
        id = event.messageId;
        setBusy(id);
        onTurn?.(event);
      } else if (event.type === "answer") {
        answered = answered ? `${answered}\n\n${event.text}` : event.text;
        preview = "";
        patchMessage(id, { content: answered });
      } else if (event.type === "token") {
        preview += event.text;
        patchMessage(id, { content: answered ? `${answered}\n\n${preview}` : preview });
      } else if (event.type === "wait") {
        const wait = { id: event.waitId, nodeId: event.nodeId, kind: event.kind, request: event.request };
        setMessages((list) => list.map((m) => (m.id === id ? { ...m, waits: [...(m.waits ?? []).filter((w) => w.id !== wait.id), wait] } : m)));
      } else if (event.type === "done") {
        if (event.message) patchMessage(id, { content: event.message.content, status: event.message.status, citations: event.message.citations, waits: [] });
        else patchMessage(id, { status: event.status === "succeeded" ? "done" : event.status, waits: [] });
      }
    }).catch(() => setError("The connection was lost; reload to see the answer."));
    setBusy(null);
  }

  async function send(body: { message?: string; regenerate?: boolean }) {
    setError(null);
    const response = await fetch(`${base}/turns`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, conversationId: current ?? undefined }) });
    if (!response.ok || !response.body) {
      const problem = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(problem?.error?.message ?? "The message could not be sent.");
      return;
    }
    await follow(response.body, "", (event) => {
      if (!current) remember(event.conversationId);
      setMessages((list) => [
        ...(body.regenerate ? list.slice(0, list.map((m) => m.role).lastIndexOf("user") + 1) : list),
        ...(body.message ? [{ id: event.userMessageId ?? `user-${event.messageId}`, role: "user", content: body.message, status: "done" }] : []),
        { id: event.messageId, role: "assistant", content: "", status: "pending" },
      ]);
    });
    void loadApp();
  }

  /** Answers a wait of a pending message in the chat; once accepted, the rest of the turn streams into the message. */
  const answer =
    (messageId: string, waitId: string): SendAnswer =>
    async (body) => {
      setError(null);
      try {
        const response = await fetch(`${base}/messages/${messageId}/answer`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ waitId, answer: body }) });
        const problem = await answerProblem(response);
        if (problem || !response.body) return problem ?? { message: "The server did not answer; try again.", fields: {} };
        setMessages((list) => list.map((m) => (m.id === messageId ? { ...m, waits: (m.waits ?? []).filter((w) => w.id !== waitId) } : m)));
        void follow(response.body, messageId);
        return null;
      } catch {
        return { message: "The server did not answer; try again.", fields: {} };
      }
    };

  // An answer held by a wait: the composer waits for the form, and Stop cancels the turn.
  const held = messages.find((m) => m.status === "pending" && (m.waits?.length ?? 0) > 0)?.id ?? null;
  const submit = () => {
    const text = draft.trim();
    if (!text || busy || held) return;
    setDraft("");
    void send({ message: text });
  };
  const stop = async () => {
    const target = busy ?? held;
    if (!target) return;
    await fetch(`${base}/messages/${target}/stop`, { method: "POST" });
    if (!busy) void open(current);
  };
  const feedback = (id: string) => async (rating: 1 | -1 | null, comment?: string) => {
    const response = await fetch(`${base}/messages/${id}/feedback`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ rating, comment }) });
    if (response.ok) patchMessage(id, ((await response.json()) as { message: ChatMessageView }).message);
  };
  const rename = async (c: ConversationItem) => {
    const title = window.prompt("Rename conversation", c.title)?.trim();
    if (!title) return;
    await fetch(`${base}/conversations/${c.id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ title }) });
    void loadApp();
  };
  const remove = async (c: ConversationItem) => {
    if (!window.confirm(`Delete “${c.title}”?`)) return;
    await fetch(`${base}/conversations/${c.id}`, { method: "DELETE" });
    if (current === c.id) void open(null);
    void loadApp();
  };

  if (missing) {
    return (
      <main className="flex min-h-screen flex-col items-center justify-center gap-3 p-6 text-center">
        <h1 className="text-lg font-semibold">This chat is not available</h1>
        <p className="text-sm text-muted-foreground">The address may be wrong, or you may need to sign in.</p>
        <a className="text-sm underline" href={`/sign-in?next=${encodeURIComponent(`/chat/${slug}`)}`}>
          Sign in
        </a>
      </main>
    );
  }
  if (!app) return <main className="p-6 text-sm text-muted-foreground">Loading…</main>;

  return (
    <main className="flex h-screen">
      <aside className="hidden w-64 shrink-0 flex-col gap-1 border-r p-3 md:flex" aria-label="Conversations">
        <Button variant="outline" size="sm" onClick={() => void open(null)} data-testid="chat-new">
          <Plus aria-hidden /> New conversation
        </Button>
        <ul className="mt-2 space-y-0.5 overflow-y-auto" data-testid="chat-conversations">
          {conversations.map((c) => (
            <li key={c.id} className={`group flex items-center gap-1 rounded px-2 py-1 text-sm ${c.id === current ? "bg-muted" : ""}`}>
              <button className="flex-1 truncate text-left" onClick={() => void open(c.id)}>
                {c.title}
              </button>
              <button aria-label={`Rename ${c.title}`} className="opacity-60 hover:opacity-100" onClick={() => void rename(c)}>
                <Pencil className="size-3.5" aria-hidden />
              </button>
              <button aria-label={`Delete ${c.title}`} className="opacity-60 hover:opacity-100" onClick={() => void remove(c)}>
                <Trash2 className="size-3.5" aria-hidden />
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <section className="flex flex-1 flex-col">
        <header className="border-b px-4 py-3">
          <h1 className="font-semibold">{app.title}</h1>
        </header>
        <div className="flex-1 space-y-3 overflow-y-auto p-4" data-testid="chat-messages">
          {messages.length === 0 ? (
            <div className="mx-auto max-w-xl space-y-3 pt-10 text-center">
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
          className="flex items-end gap-2 border-t p-3"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <Textarea
            aria-label="Message"
            rows={2}
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
      </section>
    </main>
  );
}
