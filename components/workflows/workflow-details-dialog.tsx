"use client";

import { useState, type FormEvent, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { WORKFLOW_SLUG_PATTERN } from "@/lib/workflows/schemas";

export interface WorkflowDetails {
  name: string;
  description: string;
  /** Only when editing an existing workflow (`channels` given). */
  slug?: string;
  exposeAsTool?: boolean;
}

/** The details a form holds, or an error sentence. */
function readDetails(form: FormData, channels?: { canPublish: boolean }): WorkflowDetails | string {
  const name = String(form.get("name") ?? "").trim();
  if (!name) return "Give the workflow a name.";
  const details: WorkflowDetails = { name, description: String(form.get("description") ?? "").trim() };
  if (!channels) return details;
  const slug = String(form.get("slug") ?? "").trim();
  if (!WORKFLOW_SLUG_PATTERN.test(slug)) return "The slug is 1 to 63 lower-case letters, digits, '-' or '_', starting with a letter or digit.";
  // A disabled checkbox is not in the form: members who may not publish leave the setting as it is.
  return { ...details, slug, ...(channels.canPublish ? { exposeAsTool: form.get("exposeAsTool") === "on" } : {}) };
}

/**
 * Name + description form in a dialog; used to create and to rename a workflow. When editing
 * (`channels`), also the slug (the OpenAI endpoint's model name and the MCP tool name) and
 * "expose as tool", which only members who may publish can change.
 */
export function WorkflowDetailsDialog({
  open,
  onOpenChange,
  title,
  description,
  submitLabel,
  initial,
  channels,
  onSubmit,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: ReactNode;
  submitLabel: string;
  initial: WorkflowDetails;
  channels?: { canPublish: boolean };
  /** Throws to show an error; the dialog stays open. */
  onSubmit: (details: WorkflowDetails) => Promise<void>;
}) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const details = readDetails(new FormData(event.currentTarget), channels);
    if (typeof details === "string") {
      setError(details);
      return;
    }
    setPending(true);
    setError(null);
    try {
      await onSubmit(details);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Something went wrong.");
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) setError(null);
        onOpenChange(next);
      }}
    >
      <DialogContent>
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>{title}</DialogTitle>
            {description ? <DialogDescription>{description}</DialogDescription> : null}
          </DialogHeader>
          <div className="space-y-1.5">
            <Label htmlFor="workflow-name">Name</Label>
            <Input id="workflow-name" name="name" defaultValue={initial.name} maxLength={120} required autoFocus />
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="workflow-description">Description</Label>
            <Textarea
              id="workflow-description"
              name="description"
              defaultValue={initial.description}
              maxLength={2000}
              rows={3}
              placeholder="Optional: what this workflow does"
            />
          </div>
          {channels ? <ChannelFields initial={initial} canPublish={channels.canPublish} /> : null}
          {error ? (
            <p role="alert" className="text-sm text-destructive">
              {error}
            </p>
          ) : null}
          <DialogFooter>
            <Button variant="outline" onClick={() => onOpenChange(false)} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {submitLabel}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** Slug and "expose as tool": how other programs (OpenAI clients, MCP clients) reach the workflow. */
function ChannelFields({ initial, canPublish }: { initial: WorkflowDetails; canPublish: boolean }) {
  return (
    <>
      <div className="space-y-1.5">
        <Label htmlFor="workflow-slug">Slug</Label>
        <Input
          id="workflow-slug"
          name="slug"
          defaultValue={initial.slug ?? ""}
          maxLength={63}
          required
          className="font-mono"
        />
        <p className="text-xs text-muted-foreground">
          The model name for the OpenAI-compatible endpoint and the tool name on the MCP server. Changing it breaks callers that use the old one.
        </p>
      </div>
      <div className="flex items-start gap-2">
        <input
          id="workflow-expose-as-tool"
          name="exposeAsTool"
          type="checkbox"
          defaultChecked={initial.exposeAsTool ?? false}
          disabled={!canPublish}
          className="mt-0.5 size-4"
        />
        <div className="space-y-0.5">
          <Label htmlFor="workflow-expose-as-tool">Expose as tool</Label>
          <p className="text-xs text-muted-foreground">
            {canPublish
              ? "MCP clients with an API key of this workspace can call the published version as a tool (/api/mcp)."
              : "Only developers and above may change this."}
          </p>
        </div>
      </div>
    </>
  );
}
