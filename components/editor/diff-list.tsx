"use client";

import type { FieldChange, GraphDiff } from "@/lib/workflows/diff";

const shown = (value: unknown) => (value === undefined ? "—" : JSON.stringify(value).slice(0, 200));

function Field({ change }: { change: FieldChange }) {
  return (
    <li className="font-mono text-[11px]">
      <span className="text-zinc-500">{change.path}</span>: <span className="text-red-700 line-through">{shown(change.before)}</span> →{" "}
      <span className="text-green-700">{shown(change.after)}</span>
    </li>
  );
}

/** The semantic diff as a list: nodes added, removed, moved and changed field by field; edges added and removed. */
export function DiffList({ diff }: { diff: GraphDiff }) {
  if (diff.same) return <p className="text-sm text-muted-foreground" data-testid="diff-list" data-same="true">No differences.</p>;
  const edge = (e: GraphDiff["edgesAdded"][number]) => `${e.source}${e.sourceHandle ? `.${e.sourceHandle}` : ""} → ${e.target}`;
  return (
    <ul className="space-y-1 text-sm" data-testid="diff-list">
      {diff.added.map((n) => (
        <li key={`a-${n.id}`} className="text-green-800" data-testid={`diff-added-${n.id}`}>
          + Added {n.title} <code className="text-xs">{n.id}</code>
        </li>
      ))}
      {diff.removed.map((n) => (
        <li key={`r-${n.id}`} className="text-red-800" data-testid={`diff-removed-${n.id}`}>
          − Removed {n.title} <code className="text-xs">{n.id}</code>
        </li>
      ))}
      {diff.changed.map((n) => (
        <li key={`c-${n.id}`} data-testid={`diff-changed-${n.id}`}>
          <span className="text-amber-900">
            ~ {n.fields.length > 0 ? "Changed" : "Moved"} {n.title} <code className="text-xs">{n.id}</code>
            {n.moved && n.fields.length > 0 ? " (also moved)" : ""}
          </span>
          {n.fields.length > 0 ? (
            <ul className="ml-4">
              {n.fields.map((f) => (
                <Field key={f.path} change={f} />
              ))}
            </ul>
          ) : null}
        </li>
      ))}
      {diff.edgesAdded.map((e) => (
        <li key={`ea-${e.id}`} className="text-green-800">+ Connection {edge(e)}</li>
      ))}
      {diff.edgesRemoved.map((e) => (
        <li key={`er-${e.id}`} className="text-red-800">− Connection {edge(e)}</li>
      ))}
      {diff.variables.map((f) => (
        <Field key={f.path} change={f} />
      ))}
    </ul>
  );
}
