import { History } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { LiveRefresh } from "@/components/runs/live-refresh";
import { RunFilters } from "@/components/runs/run-filters";
import { RunTable } from "@/components/runs/run-table";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { requireMember } from "@/lib/auth/session";
import { ACTIVE_RUN_STATUSES, RUN_STATUSES, listRunFilterWorkflows, listRuns, type RunStatus } from "@/lib/runs/queries";

export const metadata: Metadata = { title: "Runs" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

export default async function RunsPage({ searchParams }: { searchParams: SearchParams }) {
  const member = await requireMember("run.read");
  const params = await searchParams;
  const rawStatus = first(params.status);
  const status = RUN_STATUSES.includes(rawStatus as RunStatus) ? (rawStatus as RunStatus) : undefined;
  const workflowId = first(params.workflow);
  const cursor = first(params.cursor);

  const [page, workflows] = await Promise.all([
    listRuns(member, { status, workflowId, cursor, limit: 25 }),
    listRunFilterWorkflows(member),
  ]);
  const filtered = Boolean(status || workflowId);
  const active = page.runs.some((run) => ACTIVE_RUN_STATUSES.includes(run.status));

  const link = (extra: Record<string, string | undefined>) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries({ status, workflow: workflowId, ...extra })) if (value) query.set(key, value);
    const text = query.toString();
    return text ? `/runs?${text}` : "/runs";
  };

  return (
    <div className="mx-auto max-w-6xl space-y-6 p-8">
      <PageHeader
        title="Runs"
        description="Every run of every workflow in this workspace, newest first."
        actions={<LiveRefresh active={active} intervalMs={2000} />}
      />
      <RunFilters workflows={workflows} />
      {page.runs.length === 0 ? (
        <EmptyState
          icon={<History />}
          title={cursor ? "No older runs" : filtered ? "No runs match these filters" : "No runs yet"}
          description={filtered || cursor ? undefined : "Run a workflow from the editor and it shows up here."}
          action={
            filtered || cursor ? (
              <Button variant="outline" size="sm" asChild>
                <Link href="/runs">Show all runs</Link>
              </Button>
            ) : null
          }
        />
      ) : (
        <RunTable runs={page.runs} />
      )}
      {cursor || page.nextCursor ? (
        <nav className="flex justify-between" aria-label="Pagination">
          {cursor ? (
            <Button variant="outline" size="sm" asChild>
              <Link href={link({})}>Newest</Link>
            </Button>
          ) : (
            <span />
          )}
          {page.nextCursor ? (
            <Button variant="outline" size="sm" asChild>
              <Link href={link({ cursor: page.nextCursor })}>Older runs</Link>
            </Button>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}
