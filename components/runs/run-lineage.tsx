import Link from "next/link";
import { StatusBadge } from "@/components/ui/status-badge";
import type { RunLineage as Lineage } from "@/lib/runs/queries";

const KIND_LABEL: Record<string, string> = { resume: "Resumed", rerun: "Re-run", node_test: "Node test with values" };

function RunLink({ id }: { id: string }) {
  return (
    <Link href={`/runs/${id}`} className="font-mono text-xs hover:underline">
      {id.slice(0, 8)}
    </Link>
  );
}

/** Links between this run and the runs it came from or led to (resume, re-run, sub-workflow parent and children). */
export function RunLineage({ lineage }: { lineage: Lineage }) {
  const { source, derived, parent, children } = lineage;
  if (!source && derived.length === 0 && !parent && children.length === 0) return null;
  return (
    <section className="space-y-1.5 rounded-lg border p-4 text-sm" data-testid="run-lineage">
      {source ? (
        <p data-testid="run-source">
          {KIND_LABEL[source.kind ?? ""] ?? "Derived"} from run <RunLink id={source.id} />
          {source.nodeId ? (
            <>
              {" "}
              starting at <code className="font-mono text-xs">{source.nodeId}</code>
            </>
          ) : null}
          . Steps marked <em>reused</em> were copied from it, not executed again.
        </p>
      ) : null}
      {parent ? (
        <p data-testid="run-parent">
          Sub-workflow run of <RunLink id={parent.id} />
          {parent.nodeId ? (
            <>
              {" "}
              (node <code className="font-mono text-xs">{parent.nodeId}</code>)
            </>
          ) : null}
          .
        </p>
      ) : null}
      {derived.length > 0 ? (
        <div data-testid="run-derived">
          <span className="text-muted-foreground">Later runs from this one: </span>
          <ul className="inline-flex flex-wrap gap-3">
            {derived.map((d) => (
              <li key={d.id} className="inline-flex items-center gap-1">
                {KIND_LABEL[d.kind ?? ""] ?? "Derived"} <RunLink id={d.id} /> <StatusBadge status={d.status} />
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {children.length > 0 ? (
        <div data-testid="run-children">
          <span className="text-muted-foreground">Sub-workflow runs: </span>
          <ul className="inline-flex flex-wrap gap-3">
            {children.map((c) => (
              <li key={c.id} className="inline-flex items-center gap-1">
                {c.workflowName} <RunLink id={c.id} /> <StatusBadge status={c.status} />
                {c.nodeId ? <span className="font-mono text-xs text-muted-foreground">from {c.nodeId}</span> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
