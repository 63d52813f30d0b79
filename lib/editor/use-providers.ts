"use client";

import { useCallback, useEffect, useState } from "react";
import { fetchProviders, type ApiError, type ProviderOption } from "./api";

type ProvidersState = { status: "loading" } | { status: "ready"; providers: ProviderOption[] } | { status: "error"; error: ApiError };

// Shared by every LLM panel of the page: selecting another node does not refetch.
let cached: Promise<Awaited<ReturnType<typeof fetchProviders>>> | null = null;

export function useProviders(): ProvidersState & { reload: () => void } {
  const [state, setState] = useState<ProvidersState>({ status: "loading" });
  const load = useCallback((force: boolean) => {
    if (force || !cached) cached = fetchProviders();
    let live = true;
    setState({ status: "loading" });
    void cached.then((result) => {
      if (!live) return;
      if (!result.ok) cached = null;
      setState(result.ok ? { status: "ready", providers: result.value } : { status: "error", error: result.error });
    });
    return () => {
      live = false;
    };
  }, []);
  useEffect(() => load(false), [load]);
  return { ...state, reload: () => void load(true) };
}
