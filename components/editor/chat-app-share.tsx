"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";

/** What is saved (not what is being typed): the snippets work only once it is. */
export interface SavedChatApp {
  slug: string;
  access: string;
  allowedOrigins: string[];
  enabled: boolean;
}

function Snippet({ label, code, testId }: { label: string; code: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-1">
      <div className="flex items-center justify-between">
        <span className="text-xs font-medium">{label}</span>
        <Button
          variant="outline"
          size="sm"
          aria-label={`Copy ${label}`}
          data-testid={`${testId}-copy`}
          onClick={() => void navigator.clipboard.writeText(code).then(() => setCopied(true), () => undefined)}
        >
          {copied ? <Check aria-hidden /> : <Copy aria-hidden />} {copied ? "Copied" : "Copy"}
        </Button>
      </div>
      <pre className="overflow-x-auto rounded bg-muted p-2 text-xs" data-testid={testId}>
        {code}
      </pre>
    </div>
  );
}

/**
 * The Share panel of the chat app dialog: the chat page's link and the widget's two snippets
 * (a `<script>` chat bubble and a plain `<iframe>`), or why the widget is off: it needs "Anyone
 * with the link" access (a members-only app cannot be embedded on other websites) and at least
 * one allowed website (docs/channels.md#widget).
 */
export function ChatAppShare({ app }: { app: SavedChatApp }) {
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const link = `${origin}/chat/${app.slug}`;
  const script = `<script src="${origin}/widget.js" data-app="${app.slug}" async></script>`;
  const iframe = `<iframe src="${origin}/chat/${app.slug}/embed" title="Chat" style="width: 380px; height: 560px; border: 0"></iframe>`;
  const off = !app.enabled
    ? "The chat app is disabled: neither its page nor its widget answers."
    : app.access !== "link"
      ? "Embedding needs “Anyone with the link” access: a members-only or e-mail-domain chat app cannot be embedded on other websites."
      : app.allowedOrigins.length === 0
        ? "The widget is off: list the websites allowed to embed it (Allowed websites above), then save."
        : null;
  return (
    <section className="space-y-2 rounded-md border p-3" aria-label="Share" data-testid="chat-app-share">
      <h3 className="text-sm font-semibold">Share</h3>
      <p className="text-sm">
        Chat page:{" "}
        <a className="underline" href={link} target="_blank" rel="noreferrer" data-testid="chat-app-link">
          {link}
        </a>
      </p>
      {off ? (
        <p className="text-sm text-muted-foreground" data-testid="chat-app-widget-off">
          {off}
        </p>
      ) : (
        <>
          <p className="text-xs text-muted-foreground">Embed on {app.allowedOrigins.join(", ")}. Visitors chat anonymously; each browser keeps its own conversations.</p>
          <Snippet label="Chat bubble (script)" code={script} testId="chat-app-script-snippet" />
          <Snippet label="Inline chat (iframe)" code={iframe} testId="chat-app-iframe-snippet" />
        </>
      )}
    </section>
  );
}
