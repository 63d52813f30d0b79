"use client";

import { useEffect, useState } from "react";
import type { WaitView } from "@/lib/runs/waits";
import { WaitAnswerForm } from "./wait-answer-form";

/**
 * The pending approvals and questions of a run being watched live (the editor's run panel):
 * re-read from /api/runs/:id/waits whenever `watchKey` changes (the set of waiting steps and the
 * run status), so a step that starts waiting shows its form and an answered one drops out; and
 * every `pollMs` while set, for waits a running step holds (lib/runs/held-waits.ts), which change no step's status.
 */
export function LiveWaits({ runId, watchKey, canAnswer, pollMs }: { runId: string; watchKey: string; canAnswer: boolean; pollMs?: number }) {
  const [waits, setWaits] = useState<WaitView[]>([]);
  const [reload, setReload] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!pollMs) return;
    const timer = setInterval(() => setReload((n) => n + 1), pollMs);
    return () => clearInterval(timer);
  }, [pollMs]);

  useEffect(() => {
    const controller = new AbortController();
    fetch(`/api/runs/${runId}/waits`, { signal: controller.signal })
      .then(async (response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const body = (await response.json()) as { waits: WaitView[] };
        setWaits(body.waits.filter((w) => w.status === "pending"));
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(`Could not load what the run waits for (${e instanceof Error ? e.message : "error"}).`);
      });
    return () => controller.abort();
  }, [runId, watchKey, reload]);

  if (error) return <p className="text-xs text-red-700">{error}</p>;
  if (waits.length === 0) return null;
  return (
    <div className="space-y-2" data-testid="run-panel-waits">
      {waits.map((wait) => (
        <div key={wait.id} className="rounded-md border border-amber-300 bg-amber-50/60 p-3" data-testid={`run-panel-wait-${wait.nodeId}`}>
          <WaitAnswerForm wait={wait} canAnswer={canAnswer} onAnswered={() => setReload((n) => n + 1)} />
        </div>
      ))}
    </div>
  );
}
