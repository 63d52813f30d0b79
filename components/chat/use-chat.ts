"use client";

import { useCallback, useEffect, useState } from "react";
import type { ChatMessageView } from "./message-view";
import { showTurn } from "./turn-events";

export interface ChatAppInfo {
  title: string;
  welcome: string;
  suggestions: string[];
}
export interface ConversationItem {
  id: string;
  title: string;
}
/** Why the chat cannot be shown: 404 (unknown, or not for this caller) or the API's refusal (e.g. 403 for a website not allowed to embed it). */
export interface ChatUnavailable {
  status: number;
  message: string;
}

type ErrorBody = { error?: { message?: string } } | null;

/**
 * State and actions of one chat app's page, shared by the hosted page and the embedded widget.
 * `headers` go with every request (the widget's embedding origin and visitor id); null while
 * they are not known yet (nothing is loaded then).
 */
export function useChat(slug: string, headers: Record<string, string> | null) {
  const base = `/api/chat/${encodeURIComponent(slug)}`;
  const [app, setApp] = useState<ChatAppInfo | null>(null);
  const [unavailable, setUnavailable] = useState<ChatUnavailable | null>(null);
  const [conversations, setConversations] = useState<ConversationItem[]>([]);
  const [current, setCurrent] = useState<string | null>(null);
  const [messages, setMessages] = useState<ChatMessageView[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [waiting, setWaiting] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const call = useCallback(
    (path: string, init: { method?: string; body?: unknown } = {}) =>
      fetch(`${base}${path}`, {
        method: init.method ?? "GET",
        headers: { ...headers, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
    [base, headers],
  );

  const loadApp = useCallback(async () => {
    const response = await call("");
    if (!response.ok) {
      const problem = (await response.json().catch(() => null)) as ErrorBody;
      return setUnavailable({ status: response.status, message: problem?.error?.message ?? "This chat is not available." });
    }
    const body = (await response.json()) as { app: ChatAppInfo; conversations: ConversationItem[] };
    setApp(body.app);
    setConversations(body.conversations);
  }, [call]);

  useEffect(() => {
    if (headers) void loadApp();
  }, [headers, loadApp]);

  const open = async (id: string | null) => {
    setCurrent(id);
    setWaiting(null);
    if (!id) return setMessages([]);
    const response = await call(`/conversations/${id}`);
    if (response.ok) setMessages(((await response.json()) as { messages: ChatMessageView[] }).messages);
  };

  const patchMessage = (id: string, patch: Partial<ChatMessageView>) => setMessages((list) => list.map((m) => (m.id === id ? { ...m, ...patch } : m)));

  /** Sends a message or regenerates the last answer, streaming it (turn-events.ts). */
  async function send(body: { message?: string; regenerate?: boolean }) {
    setError(null);
    setWaiting(null);
    const response = await call("/turns", { method: "POST", body: { ...body, conversationId: current ?? undefined } });
    if (!response.ok || !response.body) {
      const problem = (await response.json().catch(() => null)) as ErrorBody;
      setError(problem?.error?.message ?? "The message could not be sent.");
      return;
    }
    const onConversation = (id: string) => setCurrent((was) => was ?? id);
    await showTurn(response.body, body, { setMessages, setBusy, setWaiting, onConversation }).catch(() => setError("The connection was lost; reload to see the answer."));
    setBusy(null);
    void loadApp();
  }

  const stop = async () => {
    if (busy) await call(`/messages/${busy}/stop`, { method: "POST" });
  };
  const feedback = (id: string) => async (rating: 1 | -1 | null, comment?: string) => {
    const response = await call(`/messages/${id}/feedback`, { method: "POST", body: { rating, comment } });
    if (response.ok) patchMessage(id, ((await response.json()) as { message: ChatMessageView }).message);
  };
  const rename = async (c: ConversationItem) => {
    const title = window.prompt("Rename conversation", c.title)?.trim();
    if (!title) return;
    await call(`/conversations/${c.id}`, { method: "PATCH", body: { title } });
    void loadApp();
  };
  const remove = async (c: ConversationItem) => {
    if (!window.confirm(`Delete “${c.title}”?`)) return;
    await call(`/conversations/${c.id}`, { method: "DELETE" });
    if (current === c.id) void open(null);
    void loadApp();
  };

  return { app, unavailable, conversations, current, messages, busy, waiting, error, open, send, stop, feedback, rename, remove };
}

export type ChatState = ReturnType<typeof useChat>;
