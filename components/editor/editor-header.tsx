"use client";

import { useState, type KeyboardEvent } from "react";
import Link from "next/link";
import { AlertCircle, ArrowLeft, Check, History, Loader2, Pencil, Play, RotateCw } from "lucide-react";
import type { SaveState } from "@/lib/editor/autosave";
import { renameWorkflow } from "@/lib/editor/api";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { cn } from "@/lib/utils";
import { TriggersButton } from "@/components/triggers/triggers-dialog";
import { NodeCountNote } from "./node-count-note";
import { PublishButton } from "./publish-button";
import { VersionsButton } from "./versions-dialog";
import { ChatAppDialog } from "./chat-app-dialog";
import { useEditor } from "./store-context";

function SaveStatus({ save, onRetry }: { save: SaveState; onRetry: () => void }) {
  const content = (() => {
    switch (save.status) {
      case "saved":
        return (
          <>
            <Check className="size-3.5" aria-hidden /> Saved
          </>
        );
      case "saving":
        return (
          <>
            <Loader2 className="size-3.5 animate-spin" aria-hidden /> Saving…
          </>
        );
      case "dirty":
        return <>Unsaved changes</>;
      case "error":
        return (
          <>
            <AlertCircle className="size-3.5" aria-hidden /> Not saved: {save.message ?? "error"}
          </>
        );
      case "conflict":
        return (
          <>
            <AlertCircle className="size-3.5" aria-hidden /> Not saved: someone else changed this workflow
          </>
        );
    }
  })();
  return (
    <div className="flex min-w-0 items-center gap-2">
      <span
        data-testid="save-status"
        data-status={save.status}
        role="status"
        aria-live="polite"
        className={cn(
          "flex min-w-0 items-center gap-1 truncate text-xs",
          save.status === "saved" && "text-muted-foreground",
          save.status === "dirty" && "text-amber-700",
          save.status === "saving" && "text-muted-foreground",
          (save.status === "error" || save.status === "conflict") && "text-red-700",
        )}
        title={save.message}
      >
        {content}
      </span>
      {save.status === "conflict" ? (
        <Button size="sm" variant="outline" onClick={() => window.location.reload()} data-testid="reload-button">
          <RotateCw aria-hidden /> Reload
        </Button>
      ) : save.status === "error" ? (
        <Button size="sm" variant="ghost" onClick={onRetry}>
          Retry
        </Button>
      ) : null}
    </div>
  );
}

function WorkflowName() {
  const workflowId = useEditor((s) => s.workflowId);
  const name = useEditor((s) => s.name);
  const setName = useEditor((s) => s.setName);
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const readOnly = useEditor((s) => s.readOnly);

  const commit = async () => {
    if (draft === null) return;
    const next = draft.trim();
    setDraft(null);
    if (!next || next === name) return;
    const previous = name;
    setName(next);
    const result = await renameWorkflow(workflowId, next);
    if (!result.ok) {
      setName(previous);
      setError(result.error.message);
    } else {
      setError(null);
    }
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") void commit();
    if (event.key === "Escape") setDraft(null);
  };

  if (draft !== null) {
    return (
      <Input
        autoFocus
        aria-label="Workflow name"
        className="h-8 w-72"
        value={draft}
        maxLength={120}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => void commit()}
        onKeyDown={onKeyDown}
        data-testid="workflow-name-input"
      />
    );
  }
  return (
    <div className="flex min-w-0 items-center gap-1">
      <h1 className="truncate text-sm font-semibold" data-testid="workflow-name">
        {name}
      </h1>
      {readOnly ? null : (
        <Button variant="ghost" size="icon-sm" aria-label="Edit workflow" title="Rename" onClick={() => setDraft(name)}>
          <Pencil aria-hidden />
        </Button>
      )}
      {error ? <span className="text-xs text-red-700">{error}</span> : null}
    </div>
  );
}

export function EditorHeader({
  onRun,
  runBlockedReason,
  publishDeniedReason = null,
  onRetrySave,
}: {
  onRun: () => void;
  runBlockedReason: string | null;
  /** Why this member may not publish (the permission table's workflow.publish), or null when they may. */
  publishDeniedReason?: string | null;
  onRetrySave: () => void;
}) {
  const workflowId = useEditor((s) => s.workflowId);
  const save = useEditor((s) => s.save);
  const readOnly = useEditor((s) => s.readOnly);
  return (
    <header className="flex h-12 shrink-0 items-center gap-3 border-b bg-white px-3">
      <Button asChild variant="ghost" size="icon-sm" aria-label="All workflows">
        <Link href="/workflows">
          <ArrowLeft aria-hidden />
        </Link>
      </Button>
      <WorkflowName />
      {readOnly ? (
        <span data-testid="save-status" data-status="readonly" className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-600">
          Read only
        </span>
      ) : (
        <SaveStatus save={save} onRetry={onRetrySave} />
      )}
      <NodeCountNote />
      <div className="ml-auto flex items-center gap-2">
        {runBlockedReason ? (
          <span className="max-w-64 truncate text-xs text-red-700" data-testid="run-blocked-reason" title={runBlockedReason}>
            {runBlockedReason}
          </span>
        ) : null}
        <Button asChild variant="outline" size="sm">
          <Link href={`/runs?workflow=${encodeURIComponent(workflowId)}`} data-testid="runs-link">
            <History aria-hidden /> Runs
          </Link>
        </Button>
        <TriggersButton workflowId={workflowId} manageDeniedReason={readOnly ? "Read only." : publishDeniedReason} />
        <VersionsButton />
        {readOnly ? null : <PublishButton blockedReason={publishDeniedReason ?? runBlockedReason} />}
        {readOnly || publishDeniedReason ? null : <ChatAppDialog />}
        <Button size="sm" onClick={onRun} disabled={runBlockedReason !== null} title={runBlockedReason ?? "Run this workflow"} data-testid="run-button">
          <Play aria-hidden /> Run
        </Button>
      </div>
    </header>
  );
}
