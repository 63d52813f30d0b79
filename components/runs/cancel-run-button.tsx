"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Square } from "lucide-react";
import { Button } from "@/components/ui/button";

/**
 * Cancels a queued or running run (POST /api/runs/:id/cancel). The page learns the new status from
 * its own live channel (the run event, or a refresh); a refusal (already finished) is shown inline.
 */
export function CancelRunButton({ runId, refresh = false, size = "sm" }: { runId: string; refresh?: boolean; size?: "sm" | "default" }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function cancel() {
    setBusy(true);
    setError(null);
    try {
      const response = await fetch(`/api/runs/${runId}/cancel`, { method: "POST" });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        setError(body?.error?.message ?? `The run could not be cancelled (${response.status}).`);
      }
      if (refresh) router.refresh();
    } catch {
      setError("The run could not be cancelled: the server did not answer.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <span className="inline-flex items-center gap-2">
      {error ? (
        <span className="text-xs text-red-700" role="alert" data-testid="run-cancel-error">
          {error}
        </span>
      ) : null}
      <Button variant="outline" size={size} onClick={cancel} disabled={busy} data-testid="run-cancel">
        <Square aria-hidden />
        {busy ? "Cancelling…" : "Cancel run"}
      </Button>
    </span>
  );
}
