import { History } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { CursorPager } from "@/components/ui/cursor-pager";
import { LiveRefresh } from "@/components/runs/live-refresh";
import { RunFilters } from "@/components/runs/run-filters";
import { RunTable } from "@/components/runs/run-table";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { requireMember } from "@/lib/auth/session";
import { ACTIVE_RUN_STATUSES, listRuns } from "@/lib/runs/queries";
import { runFilterOptions } from "@/lib/runs/run-filter-options";
import { filtersFromSearchParams, hasFilters } from "@/lib/runs/run-search";

export const metadata: Metadata = { title: "Runs" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

export default async function RunsPage({ searchParams }: { searchParams: SearchParams }) {
  const member = await requireMember("run.read");
  const params = await searchParams;
  const { filters, invalid } = filtersFromSearchParams(params);
  const cursor = first(params.cursor);

  const [page, options] = await Promise.all([listRuns(member, { ...filters, cursor, limit: 25 }), runFilterOptions(member)]);
  const filtered = hasFilters(filters);
  const active = page.runs.some((run) => ACTIVE_RUN_STATUSES.includes(run.status));

  const link = (extra: Record<string, string | undefined>) => {
    const query = new URLSearchParams();
    const kept: Record<string, unknown> = { ...filters, ...extra };
    for (const [key, value] of Object.entries(kept)) if (value !== undefined && value !== "") query.set(key, String(value));
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
      <RunFilters options={options} />
      {invalid.length > 0 ? (
        <p className="text-sm text-destructive" role="alert" data-testid="run-filter-invalid">
          Ignored invalid filter{invalid.length > 1 ? "s" : ""}: {invalid.join(", ")}.
        </p>
      ) : null}
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
      <CursorPager paged={Boolean(cursor)} newestHref={link({})} olderHref={page.nextCursor ? link({ cursor: page.nextCursor }) : null} olderLabel="Older runs" />
    </div>
  );
}
