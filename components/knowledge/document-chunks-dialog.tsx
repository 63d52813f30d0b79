"use client";

import { useCallback, useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { type ChunkPage, type ChunkView, type DocumentView, listChunksRequest, updateDocumentRequest } from "./api";
import { ChunkItem } from "./chunk-item";
import { formatTags, parseTags } from "./tags";

const PAGE_SIZE = 20;

/** The tags of a document (retrieval filters on them at once); editors change them here. */
function TagsEditor({ knowledgeBaseId, doc, canEdit, onSaved }: { knowledgeBaseId: string; doc: DocumentView; canEdit: boolean; onSaved: (doc: DocumentView) => void }) {
  const [text, setText] = useState(formatTags(doc.metadata));
  const [message, setMessage] = useState<string | null>(null);
  async function save() {
    const tags = parseTags(text);
    if (!tags.ok) return setMessage(tags.message);
    try {
      onSaved(await updateDocumentRequest(knowledgeBaseId, doc.id, { metadata: tags.tags ?? {} }));
      setMessage("Saved: retrieval filters on these tags now.");
    } catch (failure) {
      setMessage(failure instanceof Error ? failure.message : "The tags could not be saved.");
    }
  }
  return (
    <div className="space-y-1.5">
      <Label htmlFor="document-tags">Tags (key=value, retrieval can filter on them)</Label>
      <div className="flex gap-2">
        <Input id="document-tags" data-testid="document-tags" value={text} onChange={(e) => setText(e.target.value)} placeholder="department=HR, year=2026" disabled={!canEdit} />
        {canEdit ? (
          <Button variant="outline" onClick={() => void save()} data-testid="document-tags-save">
            Save tags
          </Button>
        ) : null}
      </div>
      {message ? <p className="text-xs text-muted-foreground" role="status">{message}</p> : null}
    </div>
  );
}

/** A document's chunks: searched, paged, and (for editors) fixed one by one. */
export function DocumentChunksDialog({ knowledgeBaseId, doc, canEdit, onClose, onDocumentChanged }: { knowledgeBaseId: string; doc: DocumentView; canEdit: boolean; onClose: () => void; onDocumentChanged: (doc: DocumentView) => void }) {
  const [search, setSearch] = useState("");
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<ChunkPage | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    listChunksRequest(knowledgeBaseId, doc.id, { q: search.trim() || undefined, offset, limit: PAGE_SIZE })
      .then((fresh) => (setPage(fresh), setError(null)))
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : "The chunks could not be loaded."));
  }, [knowledgeBaseId, doc.id, search, offset]);
  useEffect(load, [load]);

  const replace = (chunk: ChunkView) => setPage((p) => p && { ...p, chunks: p.chunks.map((c) => (c.id === chunk.id ? chunk : c)) });
  const total = page?.total ?? 0;

  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent className="max-h-[90vh] max-w-3xl overflow-y-auto" data-testid="chunks-dialog">
        <DialogHeader>
          <DialogTitle>{doc.name}</DialogTitle>
          <DialogDescription>Chunks as retrieval sees them. An edited chunk is embedded again when saved; re-uploading or re-indexing the document starts again from its file.</DialogDescription>
        </DialogHeader>
        <TagsEditor knowledgeBaseId={knowledgeBaseId} doc={doc} canEdit={canEdit} onSaved={onDocumentChanged} />
        <Input aria-label="Search chunks" data-testid="chunk-search" placeholder="Search chunk text" value={search} onChange={(e) => (setSearch(e.target.value), setOffset(0))} />
        {error ? <p role="alert" className="text-sm text-destructive">{error}</p> : null}
        <ul className="space-y-2">
          {page?.chunks.map((chunk) => (
            <ChunkItem key={chunk.id} knowledgeBaseId={knowledgeBaseId} documentId={doc.id} chunk={chunk} canEdit={canEdit} onChanged={replace} onDeleted={load} />
          ))}
        </ul>
        {page && page.chunks.length === 0 ? <p className="text-sm text-muted-foreground">No chunks{search ? " match" : ""}.</p> : null}
        <div className="flex items-center justify-between text-xs text-muted-foreground">
          <span data-testid="chunk-range">{total ? `${offset + 1}–${Math.min(offset + PAGE_SIZE, total)} of ${total}` : ""}</span>
          <div className="flex gap-2">
            <Button size="sm" variant="outline" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
              Previous
            </Button>
            <Button size="sm" variant="outline" disabled={offset + PAGE_SIZE >= total} onClick={() => setOffset(offset + PAGE_SIZE)} data-testid="chunk-next">
              Next
            </Button>
          </div>
        </div>
      </DialogContent>
    </Dialog>
  );
}
