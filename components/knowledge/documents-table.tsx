"use client";

import { FileText } from "lucide-react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { type DocumentStatus, type DocumentView, formatBytes } from "./api";

const STATUS_TONE: Record<DocumentStatus, BadgeTone> = { queued: "grey", parsing: "blue", chunking: "blue", embedding: "blue", indexed: "green", failed: "red" };
const STATUS_LABEL: Record<DocumentStatus, string> = { queued: "Queued", parsing: "Parsing", chunking: "Chunking", embedding: "Embedding", indexed: "Indexed", failed: "Failed" };

function Progress({ doc }: { doc: DocumentView }) {
  if (doc.status === "failed") return <span className="text-xs text-destructive">{doc.error?.message ?? "Failed"}</span>;
  if (doc.chunksTotal === 0) return <span className="text-xs text-muted-foreground">—</span>;
  return (
    <span className="text-xs tabular-nums" aria-label={`${doc.chunksDone} of ${doc.chunksTotal} chunks embedded`}>
      {doc.status === "indexed" ? doc.chunksTotal : `${doc.chunksDone} / ${doc.chunksTotal}`}
    </span>
  );
}

/** The documents of a knowledge base with their ingestion status; a failed one shows why. */
export function DocumentsTable({ documents, canEdit, onDelete, onOpen }: { documents: DocumentView[]; canEdit: boolean; onDelete: (doc: DocumentView) => void; onOpen: (doc: DocumentView) => void }) {
  if (documents.length === 0) return <EmptyState icon={<FileText />} title="No documents yet" description="Upload files or paste text; each is parsed, split into chunks and embedded." />;
  return (
    <Table data-testid="documents-table">
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead>Status</TableHead>
          <TableHead>Chunks</TableHead>
          <TableHead>Size</TableHead>
          <TableHead>Tags</TableHead>
          <TableHead className="text-right">Actions</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {documents.map((doc) => (
          <TableRow key={doc.id} data-testid="document-row" data-status={doc.status}>
            <TableCell className="max-w-xs truncate font-medium" title={doc.name}>
              {doc.name}
            </TableCell>
            <TableCell>
              <Badge tone={STATUS_TONE[doc.status]} data-testid="document-status">
                {STATUS_LABEL[doc.status]}
              </Badge>
            </TableCell>
            <TableCell className="max-w-sm" data-testid="document-progress">
              <Progress doc={doc} />
            </TableCell>
            <TableCell className="text-xs tabular-nums text-muted-foreground">{formatBytes(doc.sizeBytes)}</TableCell>
            <TableCell className="space-x-1">
              {Object.entries(doc.metadata).map(([key, value]) => (
                <Badge key={key} tone="outline">
                  {key}: {String(value)}
                </Badge>
              ))}
            </TableCell>
            <TableCell className="space-x-2 text-right">
              {doc.status === "indexed" ? (
                <Button size="sm" variant="outline" aria-label={`Chunks of ${doc.name}`} data-testid="open-chunks" onClick={() => onOpen(doc)}>
                  Chunks
                </Button>
              ) : null}
              {canEdit ? (
                <Button size="sm" variant="outline" aria-label={`Delete ${doc.name}`} data-testid="delete-document" onClick={() => onDelete(doc)}>
                  Delete
                </Button>
              ) : null}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
