/** "throttled: <reason>" beside a queued run's status: it waits for a limit, without a worker, and continues on its own. */
export function ThrottledNote({ run }: { run: { status: string; throttledReason: string | null; throttledUntil: Date | null } }) {
  if (run.status !== "queued" || !run.throttledReason) return null;
  const until = run.throttledUntil ? ` (next try ${run.throttledUntil.toISOString().slice(11, 19)} UTC)` : "";
  return (
    <span className="rounded bg-amber-50 px-1.5 py-0.5 text-xs text-amber-800" data-testid="run-throttled" title={`Waiting for a limit${until}; the run continues when it allows.`}>
      throttled: {run.throttledReason}
    </span>
  );
}
