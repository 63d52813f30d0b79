import { ScrollText } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { CursorPager } from "@/components/ui/cursor-pager";
import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditRetention } from "@/components/audit/audit-retention";
import { AuditTable } from "@/components/audit/audit-table";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { AuditFilterSchema, listAuditEvents, type AuditFilter } from "@/lib/audit/query";
import { AUDIT_RETENTION, getAuditSettings } from "@/lib/audit/retention";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Audit log" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

const query = (values: Record<string, string | undefined>) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  return params.toString();
};

export default async function AuditLogPage({ searchParams }: { searchParams: SearchParams }) {
  const member = await requireMember("audit.read");
  const params = await searchParams;
  const raw = { actor: first(params.actor), action: first(params.action), target: first(params.target), from: first(params.from), to: first(params.to) };
  const parsed = AuditFilterSchema.safeParse(raw);
  const filter: AuditFilter = parsed.success ? parsed.data : {};
  const cursor = first(params.cursor);
  const [page, settings] = await Promise.all([listAuditEvents(member, filter, { cursor: cursor && /^[0-9a-f-]{36}$/.test(cursor) ? cursor : undefined }), getAuditSettings(member)]);
  const filtered = Object.keys(filter).length > 0;
  const filterQuery = query(filter);

  return (
    <div className="mx-auto max-w-6xl space-y-6 p-8">
      <PageHeader
        title="Audit log"
        description="Who did what in this workspace, from where: sign-ins, workflows, runs, models, secrets, tools, API keys and network settings. Entries cannot be changed or deleted."
        actions={
          can(member.role, "audit.export") ? (
            <div className="flex gap-2">
              <Button variant="outline" size="sm" asChild>
                <a href={`/api/audit/export?${query({ ...filter, format: "csv" })}`} data-testid="audit-export-csv" download>
                  Export CSV
                </a>
              </Button>
              <Button variant="outline" size="sm" asChild>
                <a href={`/api/audit/export?${query({ ...filter, format: "jsonl" })}`} data-testid="audit-export-jsonl" download>
                  Export JSON Lines
                </a>
              </Button>
            </div>
          ) : null
        }
      />
      <AuditRetention initialDays={settings.retentionDays} canEdit={can(member.role, "audit.settings")} minDays={AUDIT_RETENTION.minDays} maxDays={AUDIT_RETENTION.maxDays} />
      <AuditFilters />
      {parsed.success ? null : (
        <p className="text-sm text-destructive" role="alert" data-testid="audit-filter-error">
          {parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")} — showing every entry.
        </p>
      )}
      {page.events.length === 0 ? (
        <EmptyState
          icon={<ScrollText />}
          title={cursor ? "No older entries" : filtered ? "No entries match these filters" : "No entries yet"}
          action={
            filtered || cursor ? (
              <Button variant="outline" size="sm" asChild>
                <Link href="/settings/audit">Show all entries</Link>
              </Button>
            ) : null
          }
        />
      ) : (
        <AuditTable events={page.events} />
      )}
      <CursorPager
        paged={Boolean(cursor)}
        newestHref={filterQuery ? `/settings/audit?${filterQuery}` : "/settings/audit"}
        olderHref={page.nextCursor ? `/settings/audit?${query({ ...filter, cursor: page.nextCursor })}` : null}
        olderLabel="Older entries"
      />
    </div>
  );
}
