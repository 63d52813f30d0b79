"use client";

import { useEffect, useState } from "react";
import type { UpstreamField } from "@/lib/engine/validate";

/** Shared by every panel of the page: the names are fetched once (values never reach the browser). */
let cached: Promise<string[]> | null = null;

async function fetchSecretNames(): Promise<string[]> {
  const response = await fetch("/api/secrets");
  // Viewers (403) and signed-out pages simply get no secret suggestions.
  if (!response.ok) return [];
  const body = (await response.json()) as { secrets?: { name: string }[] };
  return (body.secrets ?? []).map((s) => s.name);
}

/** The workspace's secret names as picker entries that insert `{{ secrets.NAME }}`. */
export function useSecretFields(): UpstreamField[] {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    cached ??= fetchSecretNames().catch(() => {
      cached = null;
      return [];
    });
    void cached.then((list) => live && setNames(list));
    return () => {
      live = false;
    };
  }, []);
  return names.map((name) => ({ nodeId: "secrets", nodeLabel: "Secrets", field: name, type: "string" as const, description: "Workspace secret (resolved on the server)" }));
}
