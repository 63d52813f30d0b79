"use client";

import { Library, Plus } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { deleteKnowledgeBaseRequest, type KnowledgeBaseView } from "./api";
import { NewKnowledgeBaseDialog } from "./new-knowledge-base-dialog";

/** The Knowledge page: the workspace's knowledge bases; developers and up create and delete them. */
export function KnowledgeBasesList({ initialKnowledgeBases, canManage }: { initialKnowledgeBases: KnowledgeBaseView[]; canManage: boolean }) {
  const router = useRouter();
  const [bases, setBases] = useState(initialKnowledgeBases);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  async function remove(kb: KnowledgeBaseView) {
    if (!window.confirm(`Delete the knowledge base ${kb.name} with its ${kb._count.documents} documents? This cannot be undone.`)) return;
    setNotice(null);
    try {
      await deleteKnowledgeBaseRequest(kb.id);
      setBases((list) => list.filter((b) => b.id !== kb.id));
    } catch (failure) {
      setNotice(failure instanceof Error ? failure.message : "The knowledge base could not be deleted.");
    }
  }

  return (
    <div className="space-y-4">
      {canManage ? (
        <div className="flex justify-end">
          <Button onClick={() => setCreating(true)} data-testid="new-knowledge-base">
            <Plus /> New knowledge base
          </Button>
        </div>
      ) : null}
      {notice ? (
        <p role="alert" className="text-sm text-destructive">
          {notice}
        </p>
      ) : null}
      {bases.length === 0 ? (
        <EmptyState icon={<Library />} title="No knowledge bases yet" description="A knowledge base holds documents (PDF, Word, Markdown, HTML, CSV, text) that agents search and cite." />
      ) : (
        <Table data-testid="knowledge-bases-table">
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>Documents</TableHead>
              <TableHead>Embedding model</TableHead>
              <TableHead>Chunks</TableHead>
              {canManage ? <TableHead className="text-right">Actions</TableHead> : null}
            </TableRow>
          </TableHeader>
          <TableBody>
            {bases.map((kb) => (
              <TableRow key={kb.id} data-testid="knowledge-base-row">
                <TableCell>
                  <Link className="font-medium underline-offset-4 hover:underline" href={`/knowledge/${kb.id}`}>
                    {kb.name}
                  </Link>
                  {kb.description ? <p className="max-w-md truncate text-xs text-muted-foreground">{kb.description}</p> : null}
                </TableCell>
                <TableCell className="tabular-nums">{kb._count.documents}</TableCell>
                <TableCell className="text-sm">
                  <code className="text-xs">{kb.embeddingModel}</code> <span className="text-xs text-muted-foreground">({kb.dimensions} dims)</span>
                </TableCell>
                <TableCell className="text-xs text-muted-foreground">
                  {kb.chunkSize} / {kb.chunkOverlap} overlap, {kb.splitter}
                </TableCell>
                {canManage ? (
                  <TableCell className="text-right">
                    <Button size="sm" variant="outline" aria-label={`Delete ${kb.name}`} data-testid="delete-knowledge-base" onClick={() => void remove(kb)}>
                      Delete
                    </Button>
                  </TableCell>
                ) : null}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {canManage ? (
        <NewKnowledgeBaseDialog
          open={creating}
          onOpenChange={setCreating}
          onCreated={(kb) => {
            setCreating(false);
            router.push(`/knowledge/${kb.id}`);
          }}
        />
      ) : null}
    </div>
  );
}
