import type { ImportedWorkflow } from "@/lib/api/schemas";

const STATUS_TEXT = { kept: "the same knowledge base", mapped: "this workspace's knowledge base of that name", missing: "not found: pick one in the node" } as const;

/** What an import did with the knowledge bases the file's nodes use (lib/workflows/knowledge-refs.ts). */
export function ImportReport({ knowledgeBases }: { knowledgeBases: ImportedWorkflow["knowledgeBases"] }) {
  const missing = knowledgeBases.filter((kb) => kb.status === "missing").length;
  return (
    <div className="space-y-2 text-sm" data-testid="import-report">
      <p>
        Imported. The workflow uses {knowledgeBases.length} knowledge base{knowledgeBases.length === 1 ? "" : "s"}
        {missing > 0 ? `; ${missing} could not be found here, and the nodes that use them show a problem until you pick one.` : ", all found here."}
      </p>
      <ul className="space-y-1 text-xs">
        {knowledgeBases.map((kb) => (
          <li key={kb.sourceId} data-testid="import-knowledge-base" data-status={kb.status} className={kb.status === "missing" ? "text-destructive" : undefined}>
            <span className="font-medium">{kb.name}</span> ({kb.nodeIds.join(", ")}): {STATUS_TEXT[kb.status]}
            {kb.reason ? ` (${kb.reason})` : ""}
          </li>
        ))}
      </ul>
    </div>
  );
}
