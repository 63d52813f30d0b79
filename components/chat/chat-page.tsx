"use client";

import { Pencil, Plus, Trash2 } from "lucide-react";
import { Button } from "@/components/ui/button";
import { ChatThread } from "./chat-thread";
import { useChat } from "./use-chat";

// Stable identity: the hosted page sends no extra headers (its visitor id is a cookie).
const NO_HEADERS: Record<string, string> = {};

/**
 * The hosted chat page (/chat/<slug>): conversation list, the conversation, the composer. Answers
 * stream from POST /api/chat/<slug>/turns (use-chat.ts, turn-events.ts).
 */
export function ChatPage({ slug }: { slug: string }) {
  const chat = useChat(slug, NO_HEADERS, { rememberInAddress: true });
  const { app, unavailable, conversations, current, open, rename, remove } = chat;

  if (unavailable) {
    return (
      <main className="flex min-h-screen flex-col items-center justify-center gap-3 p-6 text-center">
        <h1 className="text-lg font-semibold">This chat is not available</h1>
        <p className="text-sm text-muted-foreground">{unavailable.status === 404 ? "The address may be wrong, or you may need to sign in." : unavailable.message}</p>
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
        <ChatThread app={app} chat={chat} />
      </section>
    </main>
  );
}
