"use client";

import { useCallback, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { createKnowledgeBaseRequest, type KnowledgeBaseView, type NewKnowledgeBase } from "./api";
import type { EmbeddingOption } from "./embedding-models";
import { IndexSettingsFields, type IndexSettingsValue, settingsBody, useEmbeddingOptions, useSave } from "./index-settings-fields";

/** Defaults of lib/knowledge/service.ts CreateKnowledgeBaseSchema. */
const DEFAULTS = { chunkSize: 1000, chunkOverlap: 150, splitter: "recursive" as NewKnowledgeBase["splitter"] };

/** Name, description, embedding model and chunk settings of a new knowledge base. */
export function NewKnowledgeBaseDialog({ open, onOpenChange, onCreated }: { open: boolean; onOpenChange: (open: boolean) => void; onCreated: (kb: KnowledgeBaseView) => void }) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [settings, setSettings] = useState<IndexSettingsValue>({ model: "", chunkSize: String(DEFAULTS.chunkSize), chunkOverlap: String(DEFAULTS.chunkOverlap), splitter: DEFAULTS.splitter });
  const { pending, error, setError, save } = useSave();
  const preselect = useCallback((list: EmbeddingOption[]) => setSettings((current) => ({ ...current, model: current.model || list[0]?.value || "" })), []);
  const options = useEmbeddingOptions(open, preselect, setError);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = settingsBody(options, settings);
    if (!body) return setError("Choose an embedding model.");
    await save(async () => onCreated(await createKnowledgeBaseRequest({ name, description, ...body })), "The knowledge base could not be created.");
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <form onSubmit={(event) => void submit(event)} className="space-y-4" data-testid="new-knowledge-base-form">
          <DialogHeader>
            <DialogTitle>New knowledge base</DialogTitle>
            <DialogDescription>Documents are split into chunks and embedded with the model you choose; changing it later re-indexes every document.</DialogDescription>
          </DialogHeader>
          <div className="space-y-1.5">
            <Label htmlFor="kb-name">Name</Label>
            <Input id="kb-name" data-testid="kb-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="kb-description">Description</Label>
            <Textarea id="kb-description" data-testid="kb-description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} rows={2} />
          </div>
          <IndexSettingsFields options={options} value={settings} onChange={setSettings} />
          {error ? (
            <p role="alert" className="text-sm text-destructive" data-testid="kb-create-error">
              {error}
            </p>
          ) : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)} data-testid="kb-create-cancel">
              Cancel
            </Button>
            <Button type="submit" disabled={pending || !settings.model} data-testid="kb-create-submit">
              {pending ? "Creating…" : "Create"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
