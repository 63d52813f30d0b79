"use client";

import { useEffect, useState } from "react";
import { ApiError } from "@/components/settings/api";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { type NewKnowledgeBase, providersRequest } from "./api";
import { type EmbeddingOption, embeddingOptions } from "./embedding-models";

export interface IndexSettingsValue {
  /** `providerId|model` of the chosen embedding option. */
  model: string;
  chunkSize: string;
  chunkOverlap: string;
  splitter: NewKnowledgeBase["splitter"];
}

/** The embedding choices of the workspace's providers, loaded once the dialog opens (null while loading). */
export function useEmbeddingOptions(open: boolean, onLoaded: (options: EmbeddingOption[]) => void, onError: (message: string) => void): EmbeddingOption[] | null {
  const [options, setOptions] = useState<EmbeddingOption[] | null>(null);
  useEffect(() => {
    if (!open || options) return;
    providersRequest()
      .then(({ providers }) => {
        const list = embeddingOptions(providers);
        setOptions(list);
        onLoaded(list);
      })
      .catch((failure: Error) => onError(`The model providers could not be loaded: ${failure.message}`));
  }, [open, options, onLoaded, onError]);
  return options;
}

/** The request fields of the settings, or null when no embedding model is chosen. */
export function settingsBody(options: EmbeddingOption[] | null, value: IndexSettingsValue) {
  const chosen = options?.find((option) => option.value === value.model);
  if (!chosen) return null;
  return { embedding: { providerId: chosen.providerId, model: chosen.model }, chunkSize: Number(value.chunkSize), chunkOverlap: Number(value.chunkOverlap), splitter: value.splitter };
}

/** A save in flight and its error: `save(work, fallback)` runs work, showing the server's words when it fails. */
export function useSave() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function save(work: () => Promise<void>, fallback: string) {
    setPending(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failureText(failure, fallback));
    } finally {
      setPending(false);
    }
  }
  return { pending, error, setError, save };
}

/** A failed save as one line: the first field problem the server named, or its message. */
export function failureText(failure: unknown, fallback: string): string {
  const issue = failure instanceof ApiError ? failure.issues[0] : undefined;
  return issue ? `${issue.path}: ${issue.message}` : failure instanceof Error ? failure.message : fallback;
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
