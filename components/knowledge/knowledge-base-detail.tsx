"use client";

import { ClipboardPaste, Settings2 } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { deleteDocumentRequest, type DocumentView, isUnfinished, type KnowledgeBaseView, listDocumentsRequest } from "./api";
import { DocumentChunksDialog } from "./document-chunks-dialog";
import { DocumentsTable } from "./documents-table";
import { IndexSettingsDialog } from "./index-settings-dialog";
import { ReindexStatus } from "./reindex-status";
import { PasteTextDialog } from "./paste-text-dialog";
import { RetrievalPanel } from "./retrieval-panel";
import { UploadZone } from "./upload-zone";
import { FALLBACK_REREAD_MS, useKnowledgeEvents } from "./use-knowledge-events";

/** Newest first, like the documents route; a document already listed is replaced, not repeated. */
const withDocument = (list: DocumentView[], doc: DocumentView) => [doc, ...list.filter((d) => d.id !== doc.id)];

/** One knowledge base: its documents (live while ingesting), adding them, and test retrieval. */
export function KnowledgeBaseDetail({ knowledgeBase: initialKnowledgeBase, initialDocuments, canEdit, canManage = false }: { knowledgeBase: KnowledgeBaseView; initialDocuments: DocumentView[]; canEdit: boolean; canManage?: boolean }) {
  const [knowledgeBase, setKnowledgeBase] = useState(initialKnowledgeBase);
  const [documents, setDocuments] = useState(initialDocuments);
  const [editingSettings, setEditingSettings] = useState(false);
  const [pasting, setPasting] = useState(false);
  const [opened, setOpened] = useState<DocumentView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const ingesting = documents.some((doc) => isUnfinished(doc.status)) || knowledgeBase.reindex !== null;
  // Progress is pushed by the worker (lib/knowledge/progress.ts); nothing is polled while the stream is up.
  const live = useKnowledgeEvents(knowledgeBase, documents, setKnowledgeBase, setDocuments);

  async function remove(doc: DocumentView) {
    if (!window.confirm(`Delete ${doc.name}? Its chunks leave retrieval at once.`)) return;
    setNotice(null);
    try {
      await deleteDocumentRequest(knowledgeBase.id, doc.id);
      setDocuments((list) => list.filter((d) => d.id !== doc.id));
    } catch (failure) {
      setNotice(failure instanceof Error ? failure.message : "The document could not be deleted.");
    }
  }

  const added = (doc: DocumentView) => setDocuments((list) => withDocument(list, doc));

  return (
    <div className="space-y-8">
      <section className="space-y-4" aria-label="Documents">
        <div className="flex items-center justify-between gap-2">
          <h2 className="text-lg font-semibold">Documents</h2>
          <div className="flex items-center gap-3">
            {ingesting ? (
              <span className="text-xs text-muted-foreground" role="status" data-testid="ingesting-note" data-live={live}>
                {live === "offline" ? `Indexing… live updates lost, reconnecting (re-reading every ${FALLBACK_REREAD_MS / 1000} s)` : live === "live" ? "Indexing… (live)" : "Indexing…"}
              </span>
            ) : null}
            {canManage ? (
              <Button variant="outline" onClick={() => setEditingSettings(true)} data-testid="index-settings-open">
                <Settings2 /> Index settings
              </Button>
            ) : null}
            {canEdit ? (
              <Button variant="outline" onClick={() => setPasting(true)} data-testid="paste-text-open">
                <ClipboardPaste /> Paste text
              </Button>
            ) : null}
          </div>
        </div>
        <ReindexStatus knowledgeBase={knowledgeBase} documents={documents} />
        {canEdit ? <UploadZone knowledgeBaseId={knowledgeBase.id} onUploaded={added} /> : null}
        {notice ? (
          <p role="alert" className="text-sm text-destructive">
            {notice}
          </p>
        ) : null}
        <DocumentsTable documents={documents} canEdit={canEdit} onDelete={(doc) => void remove(doc)} onOpen={setOpened} />
      </section>
      {opened ? (
        <DocumentChunksDialog
          knowledgeBaseId={knowledgeBase.id}
          doc={opened}
          canEdit={canEdit}
          onClose={() => setOpened(null)}
          onDocumentChanged={(doc) => (setOpened(doc), setDocuments((list) => list.map((d) => (d.id === doc.id ? doc : d))))}
        />
      ) : null}
      <RetrievalPanel knowledgeBaseId={knowledgeBase.id} embeddingModel={knowledgeBase.embeddingModel} />
      {canManage && editingSettings ? (
        <IndexSettingsDialog
          knowledgeBase={knowledgeBase}
          open
          onOpenChange={setEditingSettings}
          onSaved={(kb) => {
            setEditingSettings(false);
            setKnowledgeBase(kb);
            listDocumentsRequest(kb.id)
              .then(({ documents: fresh }) => setDocuments(fresh))
              .catch(() => undefined);
          }}
        />
      ) : null}
      {canEdit ? (
        <PasteTextDialog
          knowledgeBaseId={knowledgeBase.id}
          open={pasting}
          onOpenChange={setPasting}
          onAdded={(doc) => {
            setPasting(false);
            added(doc);
          }}
        />
      ) : null}
    </div>
  );
}
