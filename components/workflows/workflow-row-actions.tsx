"use client";

import { Copy, Download, Pencil, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { deleteWorkflowRequest, duplicateWorkflowRequest, renameWorkflowRequest } from "./api";
import { WorkflowDetailsDialog } from "./workflow-details-dialog";

/** Rename / Duplicate / Delete for one workflow row (editors and above). */
export function WorkflowRowActions({
  workflow,
  canPublish,
}: {
  workflow: { id: string; name: string; description: string; slug: string; exposeAsTool: boolean };
  canPublish: boolean;
}) {
  const { id, name } = workflow;
  const router = useRouter();
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function duplicate() {
    setBusy(true);
    setError(null);
    try {
      await duplicateWorkflowRequest(id);
      router.refresh();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not duplicate.");
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await deleteWorkflowRequest(id);
      setDeleting(false);
      router.refresh();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not delete.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="flex items-center justify-end gap-1">
      {error && !deleting ? (
        <span role="alert" className="mr-2 text-xs text-destructive">
          {error}
        </span>
      ) : null}
      <Button variant="ghost" size="icon-sm" title="Rename" onClick={() => setRenaming(true)}>
        <Pencil />
        <span className="sr-only">Rename</span>
      </Button>
      <Button variant="ghost" size="icon-sm" title="Export" asChild>
        <a href={`/api/workflows/${encodeURIComponent(id)}/export`} download>
          <Download />
          <span className="sr-only">Export</span>
        </a>
      </Button>
      <Button variant="ghost" size="icon-sm" title="Duplicate" onClick={duplicate} disabled={busy}>
        <Copy />
        <span className="sr-only">Duplicate</span>
      </Button>
      <Button
        variant="ghost"
        size="icon-sm"
        title="Delete"
        className="text-muted-foreground hover:text-destructive"
        onClick={() => {
          setError(null);
          setDeleting(true);
        }}
      >
        <Trash2 />
        <span className="sr-only">Delete</span>
      </Button>

      <WorkflowDetailsDialog
        open={renaming}
        onOpenChange={setRenaming}
        title="Edit workflow"
        submitLabel="Save"
        initial={workflow}
        channels={{ canPublish }}
        onSubmit={async (details) => {
          await renameWorkflowRequest(id, details);
          setRenaming(false);
          router.refresh();
        }}
      />

      <Dialog open={deleting} onOpenChange={setDeleting}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Delete “{name}”?</DialogTitle>
            <DialogDescription>
              The workflow and its draft are removed. Past runs stay in the run history.
            </DialogDescription>
          </DialogHeader>
          {error ? (
            <p role="alert" className="text-sm text-destructive">
              {error}
            </p>
          ) : null}
          <DialogFooter>
            <Button variant="outline" onClick={() => setDeleting(false)} disabled={busy}>
              Cancel
            </Button>
            <Button variant="destructive" onClick={remove} disabled={busy}>
              Delete workflow
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}
