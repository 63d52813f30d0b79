"use client";

import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import type { NewKnowledgeBase } from "./api";
import type { EmbeddingOption } from "./embedding-models";

export interface IndexSettingsValue {
  /** `providerId|model` of the chosen embedding option. */
  model: string;
  chunkSize: string;
  chunkOverlap: string;
  splitter: NewKnowledgeBase["splitter"];
}

/** Embedding model and chunking of a knowledge base: when creating one, and when changing them (which re-indexes). */
export function IndexSettingsFields({ options, value, onChange }: { options: EmbeddingOption[] | null; value: IndexSettingsValue; onChange: (value: IndexSettingsValue) => void }) {
  const set = (patch: Partial<IndexSettingsValue>) => onChange({ ...value, ...patch });
  return (
    <>
      <div className="space-y-1.5">
        <Label htmlFor="kb-embedding-model">Embedding model</Label>
        <Select value={value.model} onValueChange={(model) => set({ model })}>
          <SelectTrigger id="kb-embedding-model" aria-label="Embedding model" data-testid="kb-embedding-model">
            <SelectValue placeholder={options === null ? "Loading models…" : "No model: add a provider in Settings → Models"} />
          </SelectTrigger>
          <SelectContent>
            {(options ?? []).map((option) => (
              <SelectItem key={option.value} value={option.value}>
                {option.label}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </div>
      <div className="grid grid-cols-3 gap-3">
        <div className="space-y-1.5">
          <Label htmlFor="kb-chunk-size">Chunk size</Label>
          <Input id="kb-chunk-size" data-testid="kb-chunk-size" type="number" min={100} max={8000} value={value.chunkSize} onChange={(e) => set({ chunkSize: e.target.value })} />
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="kb-chunk-overlap">Overlap</Label>
          <Input id="kb-chunk-overlap" data-testid="kb-chunk-overlap" type="number" min={0} max={4000} value={value.chunkOverlap} onChange={(e) => set({ chunkOverlap: e.target.value })} />
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="kb-splitter">Splitter</Label>
          <Select value={value.splitter} onValueChange={(splitter) => set({ splitter: splitter as NewKnowledgeBase["splitter"] })}>
            <SelectTrigger id="kb-splitter" aria-label="Splitter" data-testid="kb-splitter">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="recursive">Recursive</SelectItem>
              <SelectItem value="markdown">Markdown</SelectItem>
            </SelectContent>
          </Select>
        </div>
      </div>
      <p className="text-xs text-muted-foreground">Sizes are in characters; the overlap must be less than half the chunk size.</p>
    </>
  );
}
