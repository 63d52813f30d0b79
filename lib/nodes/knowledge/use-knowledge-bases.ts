"use client";

import { useCallback, useEffect, useState } from "react";
import { z } from "zod";

const KnowledgeBaseOptionSchema = z.object({ id: z.string(), name: z.string(), description: z.string().default("") });
export type KnowledgeBaseOption = z.infer<typeof KnowledgeBaseOptionSchema>;
const ListSchema = z.object({ knowledgeBases: z.array(KnowledgeBaseOptionSchema) });

export type KnowledgeBasesState = { status: "loading" } | { status: "ready"; knowledgeBases: KnowledgeBaseOption[] } | { status: "error"; message: string };

async function fetchKnowledgeBases(): Promise<KnowledgeBasesState> {
  try {
    const response = await fetch("/api/knowledge-bases", { headers: { accept: "application/json" } });
    if (!response.ok) return { status: "error", message: response.status === 401 ? "Sign in again to load the knowledge bases." : `Could not load the knowledge bases (${response.status}).` };
    const parsed = ListSchema.safeParse(await response.json());
    return parsed.success ? { status: "ready", knowledgeBases: parsed.data.knowledgeBases } : { status: "error", message: "The knowledge base list has an unexpected shape." };
  } catch (error) {
    return { status: "error", message: `Could not load the knowledge bases: ${(error as Error).message}` };
  }
}

// Shared by every Knowledge and Agent panel of the page: selecting another node does not refetch.
let cached: Promise<KnowledgeBasesState> | null = null;

export function useKnowledgeBases(): KnowledgeBasesState & { reload: () => void } {
  const [state, setState] = useState<KnowledgeBasesState>({ status: "loading" });
  const load = useCallback((force: boolean) => {
    if (force || !cached) cached = fetchKnowledgeBases();
    let live = true;
    setState({ status: "loading" });
    void cached.then((result) => {
      if (!live) return;
      if (result.status === "error") cached = null;
      setState(result);
    });
    return () => {
      live = false;
    };
  }, []);
  useEffect(() => load(false), [load]);
  return { ...state, reload: () => void load(true) };
}
