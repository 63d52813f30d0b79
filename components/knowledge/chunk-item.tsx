"use client";

import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/textarea";
import { type ChunkView, deleteChunkRequest, updateChunkRequest } from "./api";

interface ChunkItemProps {
  knowledgeBaseId: string;
  documentId: string;
  chunk: ChunkView;
  canEdit: boolean;
  onChanged: (chunk: ChunkView) => void;
  onDeleted: (chunk: ChunkView) => void;
}

/** One chunk: its text and source, and (for editors) edit — re-embedded on save —, disable/enable and delete. */
export function ChunkItem({ knowledgeBaseId, documentId, chunk, canEdit, onChanged, onDeleted }: ChunkItemProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function act(work: () => Promise<void>) {
    setPending(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "The chunk could not be changed.");
    } finally {
      setPending(false);
    }
  }
  const save = () => act(async () => (onChanged(await updateChunkRequest(knowledgeBaseId, documentId, chunk.id, { text: draft ?? chunk.text })), setDraft(null)));
  const toggle = () => act(async () => onChanged(await updateChunkRequest(knowledgeBaseId, documentId, chunk.id, { enabled: !chunk.enabled })));
  const remove = () => {
    if (!window.confirm(`Delete chunk #${chunk.ordinal + 1}? It leaves retrieval at once.`)) return;
    void act(async () => (await deleteChunkRequest(knowledgeBaseId, documentId, chunk.id), onDeleted(chunk)));
  };

  return (
    <li className="space-y-2 rounded-md border p-3" data-testid="chunk-item" data-enabled={chunk.enabled}>
      <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
        <span className="font-medium text-foreground">#{chunk.ordinal + 1}</span>
        {chunk.page ? <span>page {chunk.page}</span> : null}
        {chunk.section ? <span className="truncate">{chunk.section}</span> : null}
        <span>{chunk.tokenCount} tokens</span>
        {chunk.enabled ? null : <Badge tone="grey">Disabled — never retrieved</Badge>}
      </div>
      {draft === null ? (
        <p className={`whitespace-pre-wrap text-sm ${chunk.enabled ? "" : "text-muted-foreground line-through"}`} data-testid="chunk-text">
          {chunk.text}
        </p>
      ) : (
        <Textarea aria-label={`Text of chunk ${chunk.ordinal + 1}`} data-testid="chunk-editor" value={draft} onChange={(e) => setDraft(e.target.value)} rows={6} />
      )}
      {error ? (
        <p role="alert" className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
      {canEdit ? (
        <div className="flex gap-2">
          {draft === null ? (
            <Button size="sm" variant="outline" onClick={() => setDraft(chunk.text)} disabled={pending} data-testid="chunk-edit">
              Edit
            </Button>
          ) : (
            <>
              <Button size="sm" onClick={() => void save()} disabled={pending || !draft.trim()} data-testid="chunk-save">
                {pending ? "Embedding…" : "Save and re-embed"}
              </Button>
              <Button size="sm" variant="outline" onClick={() => setDraft(null)} disabled={pending}>
                Cancel
              </Button>
            </>
          )}
          <Button size="sm" variant="outline" onClick={() => void toggle()} disabled={pending} data-testid="chunk-toggle">
            {chunk.enabled ? "Disable" : "Enable"}
          </Button>
          <Button size="sm" variant="outline" onClick={remove} disabled={pending} data-testid="chunk-delete">
            Delete
          </Button>
        </div>
      ) : null}
    </li>
  );
}
