"use client";

import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { ChevronDown, ChevronUp, X } from "lucide-react";
import { findNodes } from "@/lib/editor/find";
import { nodeRegistry } from "@/lib/nodes/registry";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { cn } from "@/lib/utils";
import { useEditor } from "./store-context";

/** Rows drawn at most; a search narrows a very large workflow. */
const MAX_ROWS = 500;

/**
 * Find (Mod+F) and the outline: with an empty search the list is every node (loop bodies
 * indented); typing narrows it to nodes whose title, type, id or settings match. Enter and the
 * arrows go from match to match, moving the view to each; a click goes to that node.
 */
export function FindPanel({ focusKey, onFocusNode, onClose }: { focusKey: number; onFocusNode: (id: string) => void; onClose: () => void }) {
  const nodes = useEditor((s) => s.nodes);
  const [query, setQuery] = useState("");
  const [current, setCurrent] = useState(-1);
  const input = useRef<HTMLInputElement>(null);
  // Node configs and titles only change with `nodes`; positions and selection do not matter here.
  const hits = useMemo(() => findNodes({ nodes }, query, nodeRegistry), [nodes, query]);

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, [focusKey]);

  const go = (index: number) => {
    if (hits.length === 0) return;
    const next = (index + hits.length) % hits.length;
    setCurrent(next);
    onFocusNode(hits[next].id);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") go(event.shiftKey ? current - 1 : current + 1);
    else if (event.key === "ArrowDown") go(current + 1);
    else if (event.key === "ArrowUp") go(current - 1);
    else if (event.key === "Escape") onClose();
    else return;
    event.preventDefault();
  };

  const searching = query.trim() !== "";
  return (
    <div className="nowheel flex max-h-[70vh] w-80 flex-col rounded-md border bg-white shadow-lg" data-testid="find-panel" role="search">
      <div className="flex items-center gap-1 border-b p-2">
        <Input
          ref={input}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setCurrent(-1);
          }}
          onKeyDown={onKeyDown}
          placeholder="Find by title, type, id or setting"
          aria-label="Find nodes"
          className="h-8"
          data-testid="find-input"
          data-editor-find
        />
        <span className="w-16 shrink-0 text-center text-xs text-muted-foreground" data-testid="find-count" aria-live="polite">
          {searching ? (hits.length === 0 ? "No match" : `${current >= 0 ? current + 1 : "–"} of ${hits.length}`) : `${hits.length} nodes`}
        </span>
        <Button variant="ghost" size="icon-sm" aria-label="Previous match" onClick={() => go(current - 1)} disabled={hits.length === 0}>
          <ChevronUp aria-hidden />
        </Button>
        <Button variant="ghost" size="icon-sm" aria-label="Next match" onClick={() => go(current + 1)} disabled={hits.length === 0}>
          <ChevronDown aria-hidden />
        </Button>
        <Button variant="ghost" size="icon-sm" aria-label="Close find" onClick={onClose}>
          <X aria-hidden />
        </Button>
      </div>
      <ul className="min-h-0 flex-1 overflow-y-auto py-1 text-sm" aria-label={searching ? "Matches" : "Outline"} data-testid="outline">
        {hits.slice(0, MAX_ROWS).map((hit, index) => (
          <li key={hit.id}>
            <button
              type="button"
              className={cn("flex w-full items-center gap-2 px-3 py-1 text-left hover:bg-zinc-100", index === current && "bg-zinc-100")}
              style={{ paddingLeft: 12 + hit.depth * 16 }}
              onClick={() => go(index)}
              data-testid={`outline-${hit.id}`}
            >
              <span aria-hidden className="size-2 shrink-0 rounded-full" style={{ backgroundColor: nodeRegistry[hit.kind]?.color ?? "#a1a1aa" }} />
              <span className="truncate">{hit.title}</span>
              <span className="ml-auto shrink-0 font-mono text-[10px] text-muted-foreground">{hit.id}</span>
            </button>
          </li>
        ))}
        {hits.length > MAX_ROWS ? <li className="px-3 py-1 text-xs text-muted-foreground">{hits.length - MAX_ROWS} more: narrow the search.</li> : null}
      </ul>
    </div>
  );
}
