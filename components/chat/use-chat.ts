"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { answerProblem, type SendAnswer } from "@/components/runs/wait-answer-form";
import type { ChatMessageView } from "./message-view";
import { followTurn } from "./turn-events";

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
 * they are not known yet (nothing is loaded then). With `rememberInAddress` (the hosted page) the
 * open conversation is kept in the address (`?c=`), so a reload shows it again, with the form of a
 * wait still pending, and an answer still being written goes on streaming (`reconnect`).
 */
export function useChat(slug: string, headers: Record<string, string> | null, { rememberInAddress = false } = {}) {
  const base = `/api/chat/${encodeURIComponent(slug)}`;
  const [app, setApp] = useState<ChatAppInfo | null>(null);
  const [unavailable, setUnavailable] = useState<ChatUnavailable | null>(null);
  const [conversations, setConversations] = useState<ConversationItem[]>([]);
  const [current, setCurrent] = useState<string | null>(null);
  const [messages, setMessages] = useState<ChatMessageView[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The follow of an answer found still being written when its conversation was opened: dropped when another one opens.
  const following = useRef<AbortController | null>(null);

  const call = useCallback(
    (path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}) =>
      fetch(`${base}${path}`, {
        method: init.method ?? "GET",
        signal: init.signal,
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

  const remember = (id: string | null) => {
    setCurrent(id);
    if (rememberInAddress) window.history.replaceState(null, "", id ? `?c=${encodeURIComponent(id)}` : window.location.pathname);
  };

  useEffect(() => {
    if (!headers) return;
    void loadApp();
    const remembered = rememberInAddress ? new URLSearchParams(window.location.search).get("c") : null;
    if (remembered) void open(remembered);
    // Once per app: `open` is recreated every render and only reads stable values here.
  }, [headers, loadApp, rememberInAddress]);

  const open = async (id: string | null) => {
    following.current?.abort();
    remember(id);
    if (!id) return setMessages([]);
    const response = await call(`/conversations/${id}`);
    if (!response.ok) return;
    const list = ((await response.json()) as { messages: ChatMessageView[] }).messages;
    setMessages(list);
    const last = list.at(-1);
    // An answer still being written (a reload mid-turn): follow it, unless this page streams it already;
    // one held by a wait shows its form instead.
    if (last?.role === "assistant" && last.status === "pending" && !last.waits?.length && last.id !== busy) void reconnect(id, last.id);
  };

  /**
   * Follows an answer still being written (GET …/messages/<id>/stream, the same events as a turn):
   * what is written so far, tokens as they come, then the stored answer; Stop works on it as on a
   * turn just sent.
   */
  const reconnect = async (conversationId: string, messageId: string) => {
    const controller = new AbortController();
    following.current = controller;
    const response = await call(`/messages/${messageId}/stream`, { signal: controller.signal }).catch(() => null);
    const ended = response?.ok && response.body ? await followTurn(response.body, { setMessages, setBusy }, { messageId }).catch(() => false) : false;
    setBusy((id) => (id === messageId ? null : id));
    if (controller.signal.aborted) return;
    following.current = null;
    if (!ended) await settle(conversationId, messageId);
  };

  /**
   * A turn's stream that closed without `done` while its answer shows no wait (an answer racing the
   * run's parking, a dropped connection): PostgreSQL has the truth, so the conversation is re-read
   * until that answer is written or shows its wait.
   */
  const settle = async (conversationId: string, messageId: string) => {
    for (let attempt = 0; attempt < 60; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const response = await call(`/conversations/${conversationId}`);
      if (!response.ok) return;
      const list = ((await response.json()) as { messages: ChatMessageView[] }).messages;
      setMessages(list);
      const message = list.find((m) => m.id === messageId);
      if (!message || message.status !== "pending" || (message.waits?.length ?? 0) > 0) return;
    }
  };

  const patchMessage = (id: string, patch: Partial<ChatMessageView>) => setMessages((list) => list.map((m) => (m.id === id ? { ...m, ...patch } : m)));

  /** Sends a message or regenerates the last answer, streaming it (turn-events.ts). */
  async function send(body: { message?: string; regenerate?: boolean }) {
    setError(null);
    const response = await call("/turns", { method: "POST", body: { ...body, conversationId: current ?? undefined } });
    if (!response.ok || !response.body) {
      const problem = (await response.json().catch(() => null)) as ErrorBody;
      setError(problem?.error?.message ?? "The message could not be sent.");
      return;
    }
    let turn: { messageId: string; conversationId: string } | null = null;
    const onTurn = (event: { messageId: string; conversationId: string; userMessageId?: string }) => {
      turn = event;
      if (!current) remember(event.conversationId);
      setMessages((list) => [
        ...(body.regenerate ? list.slice(0, list.map((m) => m.role).lastIndexOf("user") + 1) : list),
        ...(body.message ? [{ id: event.userMessageId ?? `user-${event.messageId}`, role: "user", content: body.message, status: "done" }] : []),
        { id: event.messageId, role: "assistant", content: "", status: "pending" },
      ]);
    };
    const ended = await followTurn(response.body, { setMessages, setBusy }, { onTurn }).catch(() => false);
    setBusy(null);
    const started = turn as { messageId: string; conversationId: string } | null;
    if (!ended && started) await settle(started.conversationId, started.messageId);
    void loadApp();
  }

  /** Answers a wait of a pending message in the chat; once accepted, the rest of the turn streams into the message. */
  const answer =
    (messageId: string, waitId: string): SendAnswer =>
    async (body) => {
      setError(null);
      try {
        const response = await call(`/messages/${messageId}/answer`, { method: "POST", body: { waitId, answer: body } });
        const problem = await answerProblem(response);
        if (problem || !response.body) return problem ?? { message: "The server did not answer; try again.", fields: {} };
        setMessages((list) => list.map((m) => (m.id === messageId ? { ...m, waits: (m.waits ?? []).filter((w) => w.id !== waitId) } : m)));
        void followTurn(response.body, { setMessages, setBusy }, { messageId })
          .catch(() => false)
          .then((ended) => {
            setBusy(null);
            if (!ended && current) return settle(current, messageId);
          });
        return null;
      } catch {
        return { message: "The server did not answer; try again.", fields: {} };
      }
    };

  // An answer held by a wait: the composer waits for the form, and Stop cancels the turn.
  const held = messages.find((m) => m.status === "pending" && (m.waits?.length ?? 0) > 0)?.id ?? null;
  const stop = async () => {
    const target = busy ?? held;
    if (!target) return;
    await call(`/messages/${target}/stop`, { method: "POST" });
    if (!busy) void open(current);
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

  return { app, unavailable, conversations, current, messages, busy, held, error, open, send, answer, stop, feedback, rename, remove };
}

export type ChatState = ReturnType<typeof useChat>;
