"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { RotateCcw, StepForward } from "lucide-react";
import { Button } from "@/components/ui/button";

/** POSTs to a resume/re-run route and opens the new run; a refusal is shown inline. */
function useDerive(url: string, body: Record<string, unknown>) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function go() {
    setBusy(true);
    setError(null);
    try {
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const answer = (await response.json().catch(() => null)) as { runId?: string; error?: { message?: string } } | null;
      if (response.ok && answer?.runId) router.push(`/runs/${answer.runId}`);
      else setError(answer?.error?.message ?? `The run could not be started (${response.status}).`);
    } catch {
      setError("The run could not be started: the server did not answer.");
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, go };
}

function Failure({ error, testId }: { error: string | null; testId: string }) {
  return error ? (
    <span className="text-xs text-red-700" role="alert" data-testid={testId}>
      {error}
    </span>
  ) : null;
}

/** Resume a failed or cancelled run: a new run reuses the steps that still hold (after a fix to the workflow). */
export function ResumeRunButton({ runId }: { runId: string }) {
  const { busy, error, go } = useDerive(`/api/runs/${runId}/resume`, {});
  return (
    <span className="inline-flex items-center gap-2">
      <Failure error={error} testId="run-resume-error" />
      <Button size="sm" onClick={go} disabled={busy} data-testid="run-resume" title="Start a new run that reuses the steps that succeeded and executes the failed step and what follows, with the workflow as it is now">
        <RotateCcw aria-hidden />
        {busy ? "Resuming…" : "Resume"}
      </Button>
    </span>
  );
}

/** Re-run this finished run from one node: upstream steps are reused, the node and what follows execute again. */
export function RerunFromButton({ runId, nodeId }: { runId: string; nodeId: string }) {
  const { busy, error, go } = useDerive(`/api/runs/${runId}/rerun`, { nodeId });
  return (
    <span className="inline-flex items-center gap-2">
      <Failure error={error} testId="step-rerun-error" />
      <Button variant="outline" size="sm" onClick={go} disabled={busy} data-testid={`step-rerun-${nodeId}`}>
        <StepForward aria-hidden />
        {busy ? "Starting…" : "Re-run from here"}
      </Button>
    </span>
  );
}
