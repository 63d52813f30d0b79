"use client";

import { z } from "zod";
import { cachedLoaderHook, type LoadState } from "@/lib/editor/cached-loader";

const KnowledgeBaseOptionSchema = z.object({ id: z.string(), name: z.string(), description: z.string().default("") });
export type KnowledgeBaseOption = z.infer<typeof KnowledgeBaseOptionSchema>;
const ListSchema = z.object({ knowledgeBases: z.array(KnowledgeBaseOptionSchema) });

export type KnowledgeBasesState = LoadState<{ knowledgeBases: KnowledgeBaseOption[] }>;

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

// Shared by every Knowledge and Agent panel of the page.
export const useKnowledgeBases = cachedLoaderHook(fetchKnowledgeBases);
