"use client";

import { GitCompare, Layers, Loader2, RotateCcw, X } from "lucide-react";
import { useEffect, useState } from "react";
import { fetchDiff, fetchVersionGraph, fetchVersions, type VersionItem } from "@/lib/editor/history-api";
import { diffHighlights, type GraphDiff } from "@/lib/workflows/diff";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { DiffList } from "./diff-list";
import { useEditor } from "./store-context";

type Ref = number | "draft";
const label = (ref: Ref) => (ref === "draft" ? "Draft" : `v${ref}`);

/**
 * The Versions panel: published versions (number, note, author, time), the semantic diff between
 * any two of them or a version and the draft (listed here, coloured on the canvas), and restoring
 * a version into the draft as an ordinary edit (autosaved with the revision check).
 */
export function VersionsButton() {
  const workflowId = useEditor((s) => s.workflowId);
  const readOnly = useEditor((s) => s.readOnly);
  const marks = useEditor((s) => s.diffMarks);
  const setDiffMarks = useEditor((s) => s.setDiffMarks);
  const restoreGraph = useEditor((s) => s.restoreGraph);
  const [open, setOpen] = useState(false);
  const [versions, setVersions] = useState<VersionItem[] | null>(null);
  const [from, setFrom] = useState<Ref | null>(null);
  const [to, setTo] = useState<Ref>("draft");
  const [diff, setDiff] = useState<GraphDiff | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    void fetchVersions(workflowId).then((answer) => {
      if (cancelled) return;
      if (!answer.ok) return setMessage(answer.error.message);
      setVersions(answer.value.versions);
      setFrom((current) => current ?? answer.value.versions[0]?.version ?? null);
    });
    return () => {
      cancelled = true;
    };
  }, [open, workflowId]);

  async function compare() {
    if (from === null) return;
    setBusy(true);
    setMessage(null);
    const answer = await fetchDiff(workflowId, from, to);
    setBusy(false);
    if (!answer.ok) return setMessage(answer.error.message);
    setDiff(answer.value.diff);
  }

  async function restore(version: number) {
    setBusy(true);
    const answer = await fetchVersionGraph(workflowId, version);
    setBusy(false);
    setConfirming(null);
    if (!answer.ok) return setMessage(answer.error.message);
    restoreGraph(answer.value.graph);
    setDiffMarks(null);
    setMessage(`Restored v${version} into the draft; it is saved like any edit.`);
  }

  const refs: Ref[] = ["draft", ...(versions ?? []).map((v) => v.version)];
  return (
    <>
      {marks ? (
        <Button size="sm" variant="ghost" onClick={() => setDiffMarks(null)} data-testid="diff-clear">
          <X aria-hidden /> Clear diff
        </Button>
      ) : null}
      <Button size="sm" variant="outline" onClick={() => setOpen(true)} data-testid="versions-button">
        <Layers aria-hidden /> Versions
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent className="max-h-[85vh] max-w-2xl overflow-y-auto" data-testid="versions-dialog">
          <DialogHeader>
            <DialogTitle>Versions</DialogTitle>
            <DialogDescription>Published versions of this workflow, newest first. Compare any two, or a version with the draft.</DialogDescription>
          </DialogHeader>
          {versions === null ? <Loader2 className="animate-spin" aria-label="Loading" /> : null}
          {versions?.length === 0 ? <p className="text-sm text-muted-foreground">Nothing is published yet.</p> : null}
          <ul className="divide-y rounded-md border" data-testid="versions-list">
            {(versions ?? []).map((v) => (
              <li key={v.version} className="flex items-start gap-3 p-2 text-sm" data-testid={`version-${v.version}`}>
                <span className="font-mono font-semibold">v{v.version}</span>
                <div className="min-w-0 flex-1">
                  <p className="truncate">{v.note ?? <span className="text-muted-foreground">No note</span>}</p>
                  <p className="text-xs text-muted-foreground">
                    {v.author?.name ?? "Unknown"} · {new Date(v.createdAt).toLocaleString()}
                  </p>
                </div>
                {readOnly ? null : confirming === v.version ? (
                  <Button size="sm" variant="destructive" disabled={busy} onClick={() => void restore(v.version)} data-testid={`version-restore-confirm-${v.version}`}>
                    Replace the draft with v{v.version}
                  </Button>
                ) : (
                  <Button size="sm" variant="outline" onClick={() => setConfirming(v.version)} data-testid={`version-restore-${v.version}`}>
                    <RotateCcw aria-hidden /> Restore
                  </Button>
                )}
              </li>
            ))}
          </ul>
          {versions?.length ? (
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <span>Compare</span>
              <RefSelect value={from} refs={refs} onChange={setFrom} testId="diff-from" />
              <span>with</span>
              <RefSelect value={to} refs={refs} onChange={(r) => setTo(r ?? "draft")} testId="diff-to" />
              <Button size="sm" onClick={() => void compare()} disabled={busy || from === null} data-testid="diff-compare">
                <GitCompare aria-hidden /> Compare
              </Button>
            </div>
          ) : null}
          {message ? <p className="text-xs" role="status">{message}</p> : null}
          {diff ? (
            <div className="space-y-2">
              <p className="text-xs text-muted-foreground">
                From {label(from ?? "draft")} to {label(to)}. The canvas shows the draft: nodes the draft lacks are listed only.
              </p>
              <DiffList diff={diff} />
              {diff.same ? null : (
                <Button
                  size="sm"
                  variant="outline"
                  data-testid="diff-highlight"
                  onClick={() => {
                    setDiffMarks(Object.fromEntries(diffHighlights(diff)));
                    setOpen(false);
                  }}
                >
                  Show on canvas
                </Button>
              )}
            </div>
          ) : null}
        </DialogContent>
      </Dialog>
    </>
  );
}

function RefSelect({ value, refs, onChange, testId }: { value: Ref | null; refs: Ref[]; onChange: (ref: Ref | null) => void; testId: string }) {
  return (
    <select
      className="h-8 rounded-md border bg-white px-2 text-sm"
      value={value === null ? "" : String(value)}
      onChange={(e) => onChange(e.target.value === "draft" ? "draft" : e.target.value ? Number(e.target.value) : null)}
      data-testid={testId}
    >
      {refs.map((r) => (
        <option key={String(r)} value={String(r)}>
          {label(r)}
        </option>
      ))}
    </select>
  );
}
