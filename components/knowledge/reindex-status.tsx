import type { DocumentView, KnowledgeBaseView } from "./api";

/** Progress of a re-index: which settings are being built, how many documents are done, and that the old index still answers. */
export function ReindexStatus({ knowledgeBase, documents }: { knowledgeBase: KnowledgeBaseView; documents: DocumentView[] }) {
  const next = knowledgeBase.reindex;
  if (!next) return null;
  const done = documents.filter((doc) => doc.status === "indexed" || doc.status === "failed").length;
  return (
    <p role="status" className="rounded-md border border-blue-300 bg-blue-50 p-3 text-sm dark:bg-blue-950" data-testid="reindex-status">
      Re-indexing with <code className="text-xs">{next.embeddingModel}</code>, chunks of {next.chunkSize} characters with {next.chunkOverlap} overlap ({next.splitter}): {done} of {documents.length}{" "}
      documents done. Queries use the current index (<code className="text-xs">{knowledgeBase.embeddingModel}</code>) until the new one is complete.
    </p>
  );
}
