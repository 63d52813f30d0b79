import { Inbox } from "lucide-react";
import type { Metadata } from "next";
import { LiveRefresh } from "@/components/runs/live-refresh";
import { PageHeader } from "@/components/shell/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listPendingWaits } from "@/lib/runs/waits";
import { InboxList } from "./inbox-list";

export const metadata: Metadata = { title: "Inbox" };

/** The workspace's open approvals and questions, oldest first, answerable in place. */
export default async function InboxPage() {
  const member = await requireMember();
  const items = await listPendingWaits(member);
  return (
    <div className="mx-auto max-w-4xl space-y-6 p-8">
      <PageHeader
        title="Inbox"
        description="Runs waiting for a person: approvals to decide and questions to answer. A run continues as soon as it is answered."
        actions={<LiveRefresh active intervalMs={5000} />}
      />
      {items.length === 0 ? (
        <EmptyState icon={<Inbox />} title="Nothing waits for you" description="Runs that reach a Human approval or Question node show up here." data-testid="inbox-empty" />
      ) : (
        <InboxList items={items} canAnswer={can(member.role, "wait.answer")} />
      )}
    </div>
  );
}
