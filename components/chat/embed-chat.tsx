"use client";

import { useEffect, useState } from "react";
import { Plus } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EMBED_ORIGIN_HEADER, EMBED_VISITOR_HEADER } from "@/lib/chat/embed-contract";
import { ChatThread } from "./chat-thread";
import { embeddingOrigin, widgetVisitorId } from "./embed-identity";
import { useChat } from "./use-chat";

type Setup = { kind: "pending" } | { kind: "ready"; headers: Record<string, string> } | { kind: "refused"; message: string };

/**
 * The embedded chat (/chat/<slug>/embed, inside the widget's iframe): a compact layout (title,
 * a conversation picker, New) around the same conversation view as the hosted page. Every API
 * call carries the embedding page's origin and this browser's widget visitor id.
 */
export function EmbedChat({ slug }: { slug: string }) {
  const [setup, setSetup] = useState<Setup>({ kind: "pending" });
  useEffect(() => {
    // Browser-only facts (frame, ancestors, storage): read after hydration.
    const origin = embeddingOrigin();
    if (window.top === window) return setSetup({ kind: "refused", message: "This page is the chat widget: it works inside a website that embeds it. Open the chat page instead." });
    if (!origin) return setSetup({ kind: "refused", message: "The website embedding this chat could not be identified, so the chat cannot start." });
    setSetup({ kind: "ready", headers: { [EMBED_ORIGIN_HEADER]: origin, [EMBED_VISITOR_HEADER]: widgetVisitorId() } });
  }, []);
  const chat = useChat(slug, setup.kind === "ready" ? setup.headers : null);
  const { app, unavailable, conversations, current, open } = chat;

  const notice = setup.kind === "refused" ? setup.message : unavailable ? (unavailable.status === 404 ? "This chat is not available." : unavailable.message) : null;
  if (notice) {
    return (
      <main className="flex h-screen items-center justify-center p-4 text-center text-sm text-muted-foreground" role="alert" data-testid="chat-embed-refused">
        {notice}
      </main>
    );
  }
  if (!app) return <main className="p-4 text-sm text-muted-foreground">Loading…</main>;

  return (
    <main className="flex h-screen flex-col" data-testid="chat-embed">
      <header className="flex items-center gap-2 border-b px-3 py-2">
        <h1 className="flex-1 truncate text-sm font-semibold">{app.title}</h1>
        {conversations.length > 0 ? (
          <select
            aria-label="Conversations"
            className="max-w-36 truncate rounded border bg-background px-1 py-0.5 text-xs"
            value={current ?? ""}
            onChange={(e) => void open(e.target.value || null)}
            data-testid="chat-embed-conversations"
          >
            <option value="">New conversation</option>
            {conversations.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
        ) : null}
        <Button variant="ghost" size="sm" aria-label="New conversation" onClick={() => void open(null)} data-testid="chat-new">
          <Plus aria-hidden />
        </Button>
      </header>
      <ChatThread app={app} chat={chat} compact />
    </main>
  );
}
