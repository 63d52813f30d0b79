"use client";

import { MessageSquare } from "lucide-react";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { ChatAppShare, type SavedChatApp } from "./chat-app-share";
import { Field, NativeSelect } from "./fields";
import { useEditor } from "./store-context";

interface ChatAppForm {
  slug: string;
  title: string;
  welcome: string;
  suggestions: string;
  access: "members" | "link" | "domain";
  allowedDomains: string;
  allowedOrigins: string;
  enabled: boolean;
}

const EMPTY: ChatAppForm = { slug: "", title: "", welcome: "", suggestions: "", access: "members", allowedDomains: "", allowedOrigins: "", enabled: true };
type ChatAppBody = Omit<ChatAppForm, "suggestions" | "allowedDomains" | "allowedOrigins"> & { suggestions: string[]; allowedDomains: string[]; allowedOrigins: string[] };
const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);

/**
 * The workflow's chat app (lib/chat/apps.ts): publishes the latest published version, once its
 * Start node is conversational, as a chat page at /chat/<slug> with an access mode, and (link
 * access, allowed websites listed) as an embeddable widget, shared from its Share panel.
 */

export function ChatAppDialog() {
  const workflowId = useEditor((s) => s.workflowId);
  const url = `/api/workflows/${encodeURIComponent(workflowId)}/chat-app`;
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState<ChatAppForm>(EMPTY);
  const [saved, setSaved] = useState<SavedChatApp | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const set = (patch: Partial<ChatAppForm>) => setForm((f) => ({ ...f, ...patch }));

  useEffect(() => {
    if (!open) return;
    void fetch(url)
      .then((r) => (r.ok ? (r.json() as Promise<{ chatApp: ChatAppBody | null }>) : null))
      .then((body) => {
        const app = body?.chatApp;
        setSaved(app ?? null);
        setForm(app ? { ...app, suggestions: app.suggestions.join("\n"), allowedDomains: app.allowedDomains.join("\n"), allowedOrigins: app.allowedOrigins.join("\n") } : EMPTY);
      });
  }, [open, url]);

  async function save() {
    setMessage(null);
    const body = {
      ...(form.slug ? { slug: form.slug } : {}),
      title: form.title,
      welcome: form.welcome,
      suggestions: lines(form.suggestions),
      access: form.access,
      allowedDomains: form.access === "domain" ? lines(form.allowedDomains) : [],
      allowedOrigins: lines(form.allowedOrigins),
      enabled: form.enabled,
    };
    const response = await fetch(url, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const result = (await response.json()) as { chatApp?: SavedChatApp; error?: { message?: string; issues?: { message: string }[] } };
    if (!response.ok || !result.chatApp) return setMessage([result.error?.message, result.error?.issues?.[0]?.message].filter(Boolean).join(" ") || "Saving failed.");
    setSaved(result.chatApp);
    set({ slug: result.chatApp.slug });
    setMessage("Saved.");
  }

  return (
    <>
      <Button variant="outline" size="sm" onClick={() => setOpen(true)} data-testid="chat-app-button">
        <MessageSquare aria-hidden /> Chat app
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent className="max-h-[90vh] max-w-lg overflow-y-auto">
          <DialogHeader>
            <DialogTitle>Chat app</DialogTitle>
            <DialogDescription>Publish the latest version (with a conversational Start node) as a chat page.</DialogDescription>
          </DialogHeader>
          <div className="space-y-3">
            <Field id="chat-app-title" label="Title">
              <Input id="chat-app-title" value={form.title} onChange={(e) => set({ title: e.target.value })} />
            </Field>
            <Field id="chat-app-slug" label="Address" hint="Leave empty for a random, unguessable address.">
              <Input id="chat-app-slug" className="font-mono text-xs" value={form.slug} placeholder="my-helpdesk" onChange={(e) => set({ slug: e.target.value.toLowerCase() })} />
            </Field>
            <Field id="chat-app-welcome" label="Welcome text">
              <Textarea id="chat-app-welcome" rows={2} value={form.welcome} onChange={(e) => set({ welcome: e.target.value })} />
            </Field>
            <Field id="chat-app-suggestions" label="Suggested opening questions" hint="One a line, up to six.">
              <Textarea id="chat-app-suggestions" rows={3} value={form.suggestions} onChange={(e) => set({ suggestions: e.target.value })} />
            </Field>
            <Field id="chat-app-access" label="Who can chat">
              <NativeSelect id="chat-app-access" value={form.access} onChange={(e) => set({ access: e.target.value as ChatAppForm["access"] })}>
                <option value="members">Workspace members</option>
                <option value="link">Anyone with the link</option>
                <option value="domain">Signed-in users of these e-mail domains</option>
              </NativeSelect>
            </Field>
            {form.access === "domain" ? (
              <Field id="chat-app-domains" label="Allowed e-mail domains" hint="One a line, e.g. example.com.">
                <Textarea id="chat-app-domains" rows={2} value={form.allowedDomains} onChange={(e) => set({ allowedDomains: e.target.value })} />
              </Field>
            ) : null}
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={form.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled
            </label>
            <Field
              id="chat-app-origins"
              label="Allowed websites (widget)"
              hint={form.access === "link" ? "Origins that may embed the chat widget, one a line, e.g. https://shop.example.com. None: no widget." : "The widget needs “Anyone with the link”: members-only and domain apps cannot be embedded."}
            >
              <Textarea id="chat-app-origins" rows={2} className="font-mono text-xs" value={form.allowedOrigins} placeholder="https://shop.example.com" onChange={(e) => set({ allowedOrigins: e.target.value })} />
            </Field>
            {saved ? <ChatAppShare app={saved} /> : null}
            {message ? <p className="text-sm text-muted-foreground" role="status">{message}</p> : null}
          </div>
          <DialogFooter>
            <Button onClick={() => void save()} disabled={!form.title.trim()} data-testid="chat-app-save">
              Save
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}
