import { formatCost } from "@/lib/models/cost";
import Link from "next/link";
import type { ReactNode } from "react";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { describeInitiator } from "@/lib/runs/initiator";
import type { RunDetail } from "@/lib/runs/queries";
import { formatDuration, formatNumber, formatTimestamp } from "@/lib/utils";
import { ErrorBox } from "./error-box";
import { JsonView } from "./json-view";

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="space-y-0.5">
      <dt className="text-xs uppercase tracking-wide text-muted-foreground">{label}</dt>
      <dd className="text-sm" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

/** The run's facts (workflow, timing, tokens) and its inputs and result. */
export function RunSummary({ run, now }: { run: RunDetail; now: Date }) {
  const liveMs = run.startedAt && !run.finishedAt ? now.getTime() - run.startedAt.getTime() : null;
  return (
    <div className="space-y-4">
      <dl className="grid grid-cols-2 gap-4 rounded-lg border p-4 sm:grid-cols-3 lg:grid-cols-7">
        <Fact label="Workflow">
          {run.workflowId ? (
            <Link href={`/workflows/${run.workflowId}`} className="font-medium hover:underline">
              {run.workflowName}
            </Link>
          ) : (
            <span className="font-medium">{run.workflowName} (deleted)</span>
          )}
        </Fact>
        <Fact label="Started by" testId="run-initiator">
          {run.initiator ? (
            // Every run of the same member or key, one click away (the runs list's initiator filter).
            <Link
              href={`/runs?initiator=${run.initiator.kind === "api_key" ? "key" : run.initiator.kind}:${encodeURIComponent(run.initiator.id)}`}
              className="hover:underline"
              title="All runs started by them"
            >
              {describeInitiator(run.initiator, run.trigger, run.version)}
            </Link>
          ) : (
            describeInitiator(run.initiator, run.trigger, run.version)
          )}
        </Fact>
        <Fact label="Created">{formatTimestamp(run.createdAt)}</Fact>
        <Fact label="Started">{run.startedAt ? formatTimestamp(run.startedAt) : "Not yet"}</Fact>
        <Fact label="Duration" testId="run-duration">
          {formatDuration(run.durationMs ?? liveMs)}
        </Fact>
        <Fact label="Total tokens" testId="run-total-tokens">
          {formatNumber(run.totalTokens)}
          {run.cost ? (
            <span className="block text-xs text-muted-foreground" data-testid="run-cost" title="From the models' prices in Settings → Models">
              {formatCost(run.cost)}
            </span>
          ) : null}
        </Fact>
        <Fact label="Prompt / completion">
          {formatNumber(run.promptTokens)} / {formatNumber(run.completionTokens)}
        </Fact>
      </dl>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader className="pb-3">
            <CardTitle className="text-sm">Inputs</CardTitle>
          </CardHeader>
          <CardContent data-testid="run-inputs">
            <JsonView value={run.inputs} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader className="pb-3">
            <CardTitle className="text-sm">{run.error ? "Error" : "Output"}</CardTitle>
          </CardHeader>
          <CardContent data-testid={run.error ? "run-error" : "run-output"}>
            {run.error ? (
              <ErrorBox error={run.error} />
            ) : run.output !== null && run.output !== undefined ? (
              <JsonView value={run.output} />
            ) : (
              <p className="text-sm text-muted-foreground">
                {run.status === "cancelled" ? "The run was cancelled." : "No output yet."}
              </p>
            )}
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
