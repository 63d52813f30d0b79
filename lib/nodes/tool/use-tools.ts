"use client";

import { cachedLoaderHook, type LoadState } from "@/lib/editor/cached-loader";
import type { ToolOption } from "./schema-form";

type ToolsState = LoadState<{ tools: ToolOption[] }>;

const record = (value: unknown): Record<string, unknown> | null =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

function toOption(value: unknown): ToolOption | null {
  const v = record(value);
  if (!v || typeof v.id !== "string" || typeof v.name !== "string") return null;
  return {
    id: v.id,
    name: v.name,
    description: typeof v.description === "string" ? v.description : "",
    kind: typeof v.kind === "string" ? v.kind : "",
    enabled: v.enabled !== false,
    inputSchema: record(v.inputSchema) ?? { type: "object", properties: {} },
    outputSchema: record(v.outputSchema),
  };
}

async function fetchTools(): Promise<ToolsState> {
  try {
    const response = await fetch("/api/tools", { headers: { accept: "application/json" } });
    if (!response.ok) return { status: "error", message: response.status === 401 ? "Sign in again to load the tools." : `Could not load the tools (${response.status}).` };
    const body = (await response.json()) as unknown;
    const list = Array.isArray(body) ? body : (record(body)?.tools ?? []);
    return { status: "ready", tools: (Array.isArray(list) ? list : []).map(toOption).filter((t): t is ToolOption => t !== null) };
  } catch (error) {
    return { status: "error", message: `Could not load the tools: ${(error as Error).message}` };
  }
}

// Shared by every Agent and Tool panel of the page.
export const useWorkspaceTools = cachedLoaderHook(fetchTools);
