"use client";

import { Loader2, Upload } from "lucide-react";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Textarea } from "@/components/ui/textarea";
import { useEditor } from "./store-context";

interface ErrorBody {
  error?: { message?: string; problems?: { message: string }[] };
}

/**
 * Publishes the saved draft as the next immutable version (what /api/v1 runs) and shows the
 * latest version number. Disabled while the draft has unsaved changes or problems, because
 * publishing freezes what the server has, and the server refuses an invalid graph anyway.
 */
export function PublishButton({ blockedReason }: { blockedReason: string | null }) {
  const workflowId = useEditor((s) => s.workflowId);
  const saveStatus = useEditor((s) => s.save.status);
  const [version, setVersion] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  // Publishing asks for an optional note (shown in the Versions panel); null while the dialog is closed.
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    void fetch(`/api/workflows/${encodeURIComponent(workflowId)}/publish`)
      .then((r) => (r.ok ? (r.json() as Promise<{ versions: { version: number }[] }>) : null))
      .then((body) => {
        if (!cancelled && body) setVersion(body.versions[0]?.version ?? null);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [workflowId]);

  const unsaved = saveStatus !== "saved";
  const reason = blockedReason ?? (unsaved ? "Wait until the draft is saved." : null);

  async function publish() {
    const text = note?.trim() ?? "";
    setNote(null);
    setBusy(true);
    setMessage(null);
    try {
      const response = await fetch(`/api/workflows/${encodeURIComponent(workflowId)}/publish`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(text ? { note: text } : {}),
      });
      const body = (await response.json()) as { version?: number } & ErrorBody;
      if (!response.ok || body.version === undefined) {
        const detail = body.error?.problems?.[0]?.message;
        setMessage({ tone: "error", text: [body.error?.message ?? `Publishing failed (${response.status}).`, detail].filter(Boolean).join(" ") });
        return;
      }
      setVersion(body.version);
      setMessage({ tone: "ok", text: `Published v${body.version}` });
    } catch {
      setMessage({ tone: "error", text: "Publishing failed: the server could not be reached." });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="flex items-center gap-2">
      {message ? (
        <span role="status" className={message.tone === "ok" ? "text-xs text-green-700" : "max-w-64 truncate text-xs text-red-700"} title={message.text}>
          {message.text}
        </span>
      ) : null}
      <span className="text-xs text-muted-foreground" data-testid="published-version">
        {version === null ? "Not published" : `v${version}`}
      </span>
      <Button
        size="sm"
        variant="outline"
        onClick={() => setNote("")}
        disabled={busy || reason !== null}
        title={reason ?? (version === null ? "Publish version 1 for the API" : `Publish version ${version + 1}`)}
        data-testid="publish-button"
        data-version={version ?? 0}
      >
        {busy ? <Loader2 className="animate-spin" aria-hidden /> : <Upload aria-hidden />} Publish
      </Button>
      <Dialog open={note !== null} onOpenChange={(open) => (open ? undefined : setNote(null))}>
        <DialogContent data-testid="publish-dialog">
          <DialogHeader>
            <DialogTitle>Publish version {(version ?? 0) + 1}</DialogTitle>
            <DialogDescription>The API and sub-workflows run the latest version. A note helps others see what changed.</DialogDescription>
          </DialogHeader>
          <Textarea
            rows={3}
            maxLength={500}
            placeholder="What changed (optional)"
            value={note ?? ""}
            onChange={(e) => setNote(e.target.value)}
            aria-label="Publish note"
            data-testid="publish-note"
          />
          <DialogFooter>
            <Button variant="ghost" onClick={() => setNote(null)}>
              Cancel
            </Button>
            <Button onClick={() => void publish()} data-testid="publish-confirm">
              <Upload aria-hidden /> Publish
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}
