import { Workflow } from "lucide-react";
import type { Metadata } from "next";
import { PageHeader } from "@/components/shell/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { ImportWorkflowButton } from "@/components/workflows/import-workflow-button";
import { NewWorkflowButton } from "@/components/workflows/new-workflow-button";
import { WorkflowTable } from "@/components/workflows/workflow-table";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listWorkflows } from "@/lib/workflows/service";

export const metadata: Metadata = { title: "Workflows" };

export default async function WorkflowsPage({ searchParams }: { searchParams: Promise<{ denied?: string }> }) {
  const member = await requireMember();
  const [{ denied }, workflows] = await Promise.all([searchParams, listWorkflows(member)]);
  const canEdit = can(member.role, "workflow.create");
  const canPublish = can(member.role, "workflow.publish");

  return (
    <div className="mx-auto max-w-6xl space-y-6 p-8">
      <PageHeader
        title="Workflows"
        description="Agent workflows in this workspace."
        actions={
          canEdit ? (
            <div className="flex gap-2">
              <ImportWorkflowButton />
              <NewWorkflowButton />
            </div>
          ) : null
        }
      />
      {denied ? (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-800">
          Your role ({member.role}) does not give access to that page.
        </p>
      ) : null}
      {workflows.length === 0 ? (
        <EmptyState
          icon={<Workflow />}
          title="No workflows yet"
          description={canEdit ? "Create one with New workflow to start drawing on the canvas." : "Nobody has created a workflow here yet."}
        />
      ) : (
        <WorkflowTable workflows={workflows} canEdit={canEdit} canPublish={canPublish} />
      )}
    </div>
  );
}
