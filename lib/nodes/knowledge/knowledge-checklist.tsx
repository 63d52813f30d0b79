"use client";

import Link from "next/link";
import { Button } from "@/components/ui/button";
import { ToolsLoadError } from "../tool/tools-error";
import { useKnowledgeBases } from "./use-knowledge-bases";

/** Checkboxes of the workspace's knowledge bases (Knowledge node, Agent knowledge tools). */
export function KnowledgeChecklist({
  id,
  legend,
  selected,
  onChange,
  describe,
  unresolved = [],
  onUnresolvedChange,
}: {
  id: string;
  legend: string;
  selected: readonly string[];
  onChange: (ids: string[]) => void;
  /** Extra text under a base's name (the Agent shows the tool name). */
  describe?: (kb: { id: string; name: string }) => string;
  /** Bases an imported file named that this workspace lacks (lib/nodes/knowledge/unresolved.ts). */
  unresolved?: readonly string[];
  onUnresolvedChange?: (names: string[] | undefined) => void;
}) {
  const state = useKnowledgeBases();
  const list = state.status === "ready" ? state.knowledgeBases : [];
  const missing = state.status === "ready" ? selected.filter((kbId) => !list.some((kb) => kb.id === kbId)) : [];
  const toggle = (kbId: string, on: boolean) => onChange(on ? [...selected, kbId] : selected.filter((s) => s !== kbId));
  return (
    <fieldset className="space-y-2" data-testid={`${id}-knowledge`}>
      <legend className="text-xs font-medium text-zinc-700">{legend}</legend>
      {state.status === "loading" ? <p className="text-xs text-muted-foreground">Loading knowledge bases…</p> : null}
      <ToolsLoadError state={state} />
      {state.status === "ready" && list.length === 0 ? (
        <p className="text-xs text-muted-foreground">
          This workspace has no knowledge bases yet. <Link href="/knowledge" className="underline">Create one</Link>
        </p>
      ) : null}
      {list.map((kb) => {
        const boxId = `${id}-kb-${kb.id}`;
        const extra = describe?.(kb) ?? kb.description;
        return (
          <label key={kb.id} htmlFor={boxId} className="flex items-start gap-2 rounded-md border p-2 text-sm">
            <input id={boxId} type="checkbox" className="mt-0.5 size-4" checked={selected.includes(kb.id)} onChange={(e) => toggle(kb.id, e.target.checked)} />
            <span className="min-w-0">
              <span className="text-xs font-medium">{kb.name}</span>
              {extra ? <span className="block text-xs text-muted-foreground">{extra}</span> : null}
            </span>
          </label>
        );
      })}
      {unresolved.map((name) => (
        <p key={`unresolved-${name}`} className="text-xs text-red-600" data-testid="unresolved-knowledge-base">
          The imported workflow used the knowledge base &ldquo;{name}&rdquo;, which is not in this workspace: pick one above.{" "}
          <Button
            variant="ghost"
            size="sm"
            className="h-6 px-1.5 text-xs"
            onClick={() => {
              const rest = unresolved.filter((n) => n !== name);
              onUnresolvedChange?.(rest.length > 0 ? rest : undefined);
            }}
          >
            Dismiss
          </Button>
        </p>
      ))}
      {missing.map((kbId) => (
        <p key={kbId} className="text-xs text-red-600">
          Selected knowledge base {kbId} no longer exists.{" "}
          <Button variant="ghost" size="sm" className="h-6 px-1.5 text-xs" onClick={() => toggle(kbId, false)}>
            Remove
          </Button>
        </p>
      ))}
    </fieldset>
  );
}
