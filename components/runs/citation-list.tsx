import type { CitationRecord } from "@/lib/nodes/knowledge/trace";

/** Retrieved chunks by citation number: document, page, section and score (Knowledge steps, Agent knowledge calls). */
export function CitationList({ citations }: { citations: readonly CitationRecord[] }) {
  if (citations.length === 0) return <p className="text-xs text-muted-foreground">No chunk matched.</p>;
  return (
    <ol className="space-y-1" data-testid="citations">
      {citations.map((c) => (
        <li key={`${c.citation}-${c.chunkId}`} className="flex flex-wrap items-baseline gap-x-2 text-xs" data-testid="citation">
          <span className="font-mono font-semibold">[{c.citation}]</span>
          <span className="font-medium">{c.documentName}</span>
          {c.page !== null ? <span className="text-muted-foreground">page {c.page}</span> : null}
          {c.section ? <span className="text-muted-foreground">{c.section}</span> : null}
          <span className="ml-auto tabular-nums text-muted-foreground">score {c.score.toFixed(3)}</span>
        </li>
      ))}
    </ol>
  );
}
