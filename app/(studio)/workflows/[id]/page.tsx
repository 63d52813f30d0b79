import { cache } from "react";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { WorkflowEditor } from "@/components/editor/workflow-editor";
import { can, refusalMessage } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { RouteIdSchema } from "@/lib/http/route";
import { ServiceError } from "@/lib/services/errors";
import { getWorkflow } from "@/lib/workflows/service";

type Props = { params: Promise<{ id: string }> };

/** One lookup per request, shared by the metadata and the page. */
const loadWorkflow = cache(async (id: string) => {
  const member = await requireMember("workflow.read");
  if (!RouteIdSchema.safeParse(id).success) notFound();
  try {
    return {
      ...(await getWorkflow(member, id)),
      canEdit: can(member.role, "workflow.edit"),
      publishDeniedReason: can(member.role, "workflow.publish") ? null : refusalMessage(member.role, "workflow.publish"),
    };
  } catch (error) {
    if (error instanceof ServiceError && error.code === "not_found") notFound();
    throw error;
  }
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  const workflow = await loadWorkflow(id);
  return { title: workflow.name };
}

export default async function WorkflowEditorPage({ params }: Props) {
  const { id } = await params;
  const workflow = await loadWorkflow(id);
  return <WorkflowEditor workflow={{ id: workflow.id, name: workflow.name, graph: workflow.graph, revision: workflow.revision, canEdit: workflow.canEdit, publishDeniedReason: workflow.publishDeniedReason }} />;
}
