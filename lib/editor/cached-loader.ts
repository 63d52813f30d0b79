"use client";

import { useCallback, useEffect, useState } from "react";

/** A list the editor's panels load from the workspace: loading, ready with its fields, or an error to show. */
export type LoadState<Ready extends object> = { status: "loading" } | ({ status: "ready" } & Ready) | { status: "error"; message: string };

/**
 * A hook over one fetch shared by every panel of the page (selecting another node does not fetch
 * again); a failed fetch is forgotten so the next panel retries, and `reload` fetches anew.
 */
export function cachedLoaderHook<Ready extends object>(fetcher: () => Promise<LoadState<Ready>>) {
  let cached: Promise<LoadState<Ready>> | null = null;
  return function useCachedLoad(): LoadState<Ready> & { reload: () => void } {
    const [state, setState] = useState<LoadState<Ready>>({ status: "loading" });
    const load = useCallback((force: boolean) => {
      if (force || !cached) cached = fetcher();
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
  };
}
