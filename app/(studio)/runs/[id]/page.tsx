import { ArrowLeft } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CancelRunButton } from "@/components/runs/cancel-run-button";
import { LiveRefresh } from "@/components/runs/live-refresh";
import { RunLineage } from "@/components/runs/run-lineage";
import { RunSummary } from "@/components/runs/run-summary";
import { WarningBadge } from "@/components/runs/warning-badge";
import { RerunFromButton, ResumeRunButton } from "@/components/runs/rerun-buttons";
import { RunWaits } from "@/components/runs/run-waits";
import { RunChatTurnCard } from "@/components/runs/run-chat-turn";
import { chatTurnOfRun } from "@/lib/chat/run-feedback";
import { StepTimeline } from "@/components/runs/step-timeline";
import { StatusBadge } from "@/components/ui/status-badge";
import { ThrottledNote } from "@/components/runs/throttled-note";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { RouteIdSchema } from "@/lib/http/route";
import { ACTIVE_RUN_STATUSES, getRunDetail } from "@/lib/runs/queries";
import { isTerminalStatus } from "@/lib/runs/service";
import { listRunWaits } from "@/lib/runs/waits";

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const member = await requireMember("run.read");
  const { id } = await params;
  if (!RouteIdSchema.safeParse(id).success) notFound();
  const run = await getRunDetail(member, id);
  if (!run) notFound();
  const now = new Date();
  const waits = (await listRunWaits(member.workspaceId, run.id)) ?? [];
  const chatTurn = run.trigger === "chat" ? await chatTurnOfRun(member, run.id) : null;
  // A waiting run changes rarely (an answer, a timeout), so it is re-read less often than a running one.
  const waiting = run.status === "waiting";

  return (
    <div className="mx-auto max-w-6xl space-y-6 p-8">
      <div className="space-y-3">
        <Link href="/runs" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
          <ArrowLeft className="size-4" />
          Runs
        </Link>
        <header className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">{run.workflowName}</h1>
          <StatusBadge status={run.status} data-testid="run-status" className="text-sm" />
          <WarningBadge count={run.warnings} testId="run-warnings" />
          <ThrottledNote run={run} />
          <span className="font-mono text-xs text-muted-foreground">{run.id}</span>
          <span className="ml-auto flex items-center gap-3">
            <LiveRefresh active={ACTIVE_RUN_STATUSES.includes(run.status) || waiting} intervalMs={waiting ? 3000 : 1000} />
            {(ACTIVE_RUN_STATUSES.includes(run.status) || waiting) && can(member.role, "run.cancel") ? <CancelRunButton runId={run.id} refresh /> : null}
            {(run.status === "failed" || run.status === "cancelled") && can(member.role, "run.start") ? <ResumeRunButton runId={run.id} /> : null}
          </span>
        </header>
      </div>
      <RunSummary run={run} now={now} />
      <RunLineage lineage={run.lineage} />
      <RunWaits waits={waits} canAnswer={can(member.role, "wait.answer")} />
      <RunChatTurnCard turn={chatTurn} />
      <section className="space-y-3">
        <h2 className="text-lg font-semibold tracking-tight">Steps</h2>
        <StepTimeline
          run={run}
          now={now}
          stepActions={
            isTerminalStatus(run.status) && can(member.role, "run.start") ? (nodeId) => <RerunFromButton runId={run.id} nodeId={nodeId} /> : undefined
          }
        />
      </section>
    </div>
  );
}
