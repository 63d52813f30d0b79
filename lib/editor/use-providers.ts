"use client";

import { useCallback, useEffect, useState } from "react";
import { fetchProviders, type ApiError, type ProviderOption } from "./api";

type ProvidersState = { status: "loading" } | { status: "ready"; providers: ProviderOption[] } | { status: "error"; error: ApiError };

// Shared by every LLM panel of the page: selecting another node does not refetch.
let cached: Promise<Awaited<ReturnType<typeof fetchProviders>>> | null = null;
let fetchedAt = 0;

/** A provider added in another tab (the panel's "Add a provider" link) shows up when the user comes back, without a reload. */
const REFRESH_ON_FOCUS_AFTER_MS = 2_000;

export function useProviders(): ProvidersState & { reload: () => void } {
  const [state, setState] = useState<ProvidersState>({ status: "loading" });
  const load = useCallback((force: boolean) => {
    if (force || !cached) {
      cached = fetchProviders();
      fetchedAt = Date.now();
    }
    let live = true;
    // A refresh keeps showing the current list until the new one arrives.
    if (force) setState((previous) => (previous.status === "ready" ? previous : { status: "loading" }));
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
  useEffect(() => {
    let cancel: (() => void) | undefined;
    const onFocus = () => {
      if (document.visibilityState !== "visible" || Date.now() - fetchedAt < REFRESH_ON_FOCUS_AFTER_MS) return;
      cancel?.();
      cancel = load(true);
    };
    window.addEventListener("focus", onFocus);
    document.addEventListener("visibilitychange", onFocus);
    return () => {
      cancel?.();
      window.removeEventListener("focus", onFocus);
      document.removeEventListener("visibilitychange", onFocus);
    };
  }, [load]);
  return { ...state, reload: () => void load(true) };
}
