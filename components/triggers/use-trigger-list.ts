"use client";

import { useCallback, useEffect, useState } from "react";
import { triggerRequest } from "./api";

/**
 * A trigger list of the Triggers dialog (`GET path` → `{ [key]: T[] }`), its error, and `act`,
 * which runs a change, shows its error and reloads the list.
 */
export function useTriggerList<T>(path: string, key: string) {
  const [items, setItems] = useState<T[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setItems((await triggerRequest<Record<string, T[]>>(path))[key] ?? []);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [path, key]);
  useEffect(() => void load(), [load]);

  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return { items, error, act };
}
