import { withMember } from "@/lib/auth/http";
import { exportWorkflow } from "@/lib/workflows/transfer";

/** GET /api/workflows/:id/export: the workflow file, as a download. */
export const GET = withMember("workflow.export", async (_request, member, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const file = await exportWorkflow(member, id);
  const filename = `${file.name.replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "") || "workflow"}.weft.json`;
  return new Response(JSON.stringify(file, null, 2), {
    headers: { "Content-Type": "application/json; charset=utf-8", "Content-Disposition": `attachment; filename="${filename}"` },
  });
});
