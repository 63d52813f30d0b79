"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { type KnowledgeBaseView, updateKnowledgeBaseRequest } from "./api";
import { IndexSettingsFields, type IndexSettingsValue, settingsBody, useEmbeddingOptions, useSave } from "./index-settings-fields";

const noop = () => undefined;

/** The settings a knowledge base is (or is being re-) indexed with. */
function currentSettings(kb: KnowledgeBaseView): IndexSettingsValue {
  const s = kb.reindex ?? kb;
  return { model: `${s.embeddingProviderId}|${s.embeddingModel}`, chunkSize: String(s.chunkSize), chunkOverlap: String(s.chunkOverlap), splitter: s.splitter as IndexSettingsValue["splitter"] };
}

/** Changes the embedding model or chunking: every document is indexed again while the current index keeps answering. */
export function IndexSettingsDialog({ knowledgeBase, open, onOpenChange, onSaved }: { knowledgeBase: KnowledgeBaseView; open: boolean; onOpenChange: (open: boolean) => void; onSaved: (kb: KnowledgeBaseView) => void }) {
  const [settings, setSettings] = useState(() => currentSettings(knowledgeBase));
  const { pending, error, setError, save } = useSave();
  const options = useEmbeddingOptions(open, noop, setError);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = settingsBody(options, settings);
    if (!body) return setError("Choose an embedding model.");
    await save(async () => onSaved(await updateKnowledgeBaseRequest(knowledgeBase.id, body)), "The settings could not be saved.");
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <form onSubmit={(event) => void submit(event)} className="space-y-4" data-testid="index-settings-form">
          <DialogHeader>
            <DialogTitle>Index settings</DialogTitle>
            <DialogDescription>
              A different model or chunking re-indexes every document into a new index. The current one answers queries until the new one is complete, then they switch at once. Edits made to single chunks are not carried over.
            </DialogDescription>
          </DialogHeader>
          <IndexSettingsFields options={options} value={settings} onChange={setSettings} />
          {error ? (
            <p role="alert" className="text-sm text-destructive">
              {error}
            </p>
          ) : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending || !settings.model} data-testid="index-settings-submit">
              {pending ? "Saving…" : "Save and re-index"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
