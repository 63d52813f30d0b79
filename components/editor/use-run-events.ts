"use client";

import { useEffect } from "react";
import { runEventsUrl } from "@/lib/editor/api";
import { isTerminalRunStatus, parseRunMessage } from "@/lib/editor/run-overlay";
import type { EditorStore } from "@/lib/editor/store";
import { useEditor } from "./store-context";

const EVENT_NAMES = ["snapshot", "step", "delta", "run"] as const;

/** Follows the watched run over Server-Sent Events until it reaches a terminal status. */
export function useRunEvents(store: EditorStore): void {
  const runId = useEditor((s) => s.overlay?.runId ?? null);
  useEffect(() => {
    if (!runId) return;
    const source = new EventSource(runEventsUrl(runId));
    const onMessage = (name: string) => (event: MessageEvent<string>) => {
      const message = parseRunMessage(name, event.data);
      if (!message) return;
      const state = store.getState();
      if (state.overlay?.runId !== runId) return;
      if (message.kind === "snapshot") state.applySnapshot(message.snapshot);
      else state.applyRunEvent(message.event);
      const status = store.getState().overlay?.status;
      if (status && isTerminalRunStatus(status)) source.close();
    };
    const listeners = EVENT_NAMES.map((name) => [name, onMessage(name)] as const);
    for (const [name, listener] of listeners) source.addEventListener(name, listener);
    source.onerror = () => {
      // EventSource reconnects by itself (and the server resends a snapshot); only a closed stream is final.
      if (source.readyState === EventSource.CLOSED) {
        const overlay = store.getState().overlay;
        if (overlay?.runId === runId && !isTerminalRunStatus(overlay.status)) {
          store.getState().setNotice("Lost the live connection to the run; open it in Runs to follow it.");
        }
      }
    };
    return () => {
      for (const [name, listener] of listeners) source.removeEventListener(name, listener);
      source.close();
    };
  }, [runId, store]);
}
