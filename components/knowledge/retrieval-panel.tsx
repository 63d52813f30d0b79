"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { isLexicalDemoModel, queryRequest, type RetrievalMode, type RetrievalResult } from "./api";

const MODES: { mode: RetrievalMode; title: string }[] = [
  { mode: "vector", title: "Vector" },
  { mode: "keyword", title: "Keyword" },
  { mode: "hybrid", title: "Hybrid" },
];

type Outcome = { state: "loading" } | { state: "done"; result: RetrievalResult } | { state: "failed"; message: string };

/** Ranked chunks of one mode with their scores and sources. */
export function RetrievalColumn({ mode, title, outcome }: { mode: RetrievalMode; title: string; outcome?: Outcome }) {
  return (
    <section aria-label={`${title} results`} data-testid={`retrieval-${mode}`} className="min-w-0 space-y-2">
      <h3 className="text-sm font-semibold">{title}</h3>
      {!outcome ? <p className="text-xs text-muted-foreground">No query yet.</p> : null}
      {outcome?.state === "loading" ? <p className="text-xs text-muted-foreground">Searching…</p> : null}
      {outcome?.state === "failed" ? (
        <p role="alert" className="text-xs text-destructive">
          {outcome.message}
        </p>
      ) : null}
      {outcome?.state === "done" && outcome.result.chunks.length === 0 ? <p className="text-xs text-muted-foreground">Nothing found.</p> : null}
      {outcome?.state === "done" ? (
        <ol className="space-y-2">
          {outcome.result.chunks.map((chunk) => (
            <li key={chunk.chunkId} data-testid="retrieval-chunk" className="space-y-1 rounded-md border p-2 text-xs">
              <div className="flex items-baseline justify-between gap-2">
                <span className="truncate font-medium" title={chunk.documentName}>
                  [{chunk.citation}] {chunk.documentName}
                </span>
                <span className="shrink-0 tabular-nums" data-testid="retrieval-score" aria-label={`Score ${chunk.score.toFixed(3)}`}>
                  {chunk.score.toFixed(3)}
                </span>
              </div>
              {chunk.page !== null || chunk.section ? (
                <p className="text-muted-foreground">{[chunk.page !== null ? `page ${chunk.page}` : null, chunk.section].filter(Boolean).join(" · ")}</p>
              ) : null}
              <p className="line-clamp-6 whitespace-pre-wrap">{chunk.text}</p>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}

/** Test retrieval: one query, the three modes side by side, so their rankings can be compared. */
export function RetrievalPanel({ knowledgeBaseId, embeddingModel }: { knowledgeBaseId: string; embeddingModel: string }) {
  const [query, setQuery] = useState("");
  const [topK, setTopK] = useState("5");
  const [outcomes, setOutcomes] = useState<Partial<Record<RetrievalMode, Outcome>>>({});

  function search(event: FormEvent) {
    event.preventDefault();
    for (const { mode } of MODES) {
      setOutcomes((all) => ({ ...all, [mode]: { state: "loading" } }));
      queryRequest(knowledgeBaseId, { query, mode, topK: Number(topK) })
        .then((result) => setOutcomes((all) => ({ ...all, [mode]: { state: "done", result } })))
        .catch((failure: Error) => setOutcomes((all) => ({ ...all, [mode]: { state: "failed", message: failure.message } })));
    }
  }

  return (
    <Card data-testid="retrieval-panel">
      <CardHeader>
        <CardTitle>Test retrieval</CardTitle>
        <CardDescription>
          What an agent would get for a question, ranked by each mode. Scores are 0–1: cosine similarity for vector, rank for keyword, fused rank for hybrid.
          {isLexicalDemoModel(embeddingModel) ? (
            <span className="mt-1 block text-amber-700" data-testid="demo-embedding-note">
              This knowledge base uses demo-embedding: demo embeddings are lexical, not semantic, so vector search matches words, not meaning.
            </span>
          ) : null}
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        <form onSubmit={search} className="flex flex-wrap items-end gap-3">
          <div className="min-w-64 flex-1 space-y-1.5">
            <Label htmlFor="retrieval-query">Query</Label>
            <Input id="retrieval-query" data-testid="retrieval-query" value={query} onChange={(e) => setQuery(e.target.value)} required maxLength={4000} placeholder="Ask what a user would ask" />
          </div>
          <div className="w-24 space-y-1.5">
            <Label htmlFor="retrieval-top-k">Top k</Label>
            <Input id="retrieval-top-k" data-testid="retrieval-top-k" type="number" min={1} max={50} value={topK} onChange={(e) => setTopK(e.target.value)} />
          </div>
          <Button type="submit" data-testid="retrieval-search" disabled={!query.trim()}>
            Search
          </Button>
        </form>
        <div className="grid gap-4 md:grid-cols-3">
          {MODES.map(({ mode, title }) => (
            <RetrievalColumn key={mode} mode={mode} title={title} outcome={outcomes[mode]} />
          ))}
        </div>
      </CardContent>
    </Card>
  );
}
