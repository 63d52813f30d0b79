import { authenticate } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { exportWorkflow } from "@/lib/workflows/transfer";

/** GET /api/workflows/:id/export: the workflow file, as a download. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate(request);
  if (member instanceof Response) return member;
  const { id } = await params;
  return handle(async () => {
    const file = await exportWorkflow(member, id);
    const filename = `${file.name.replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "") || "workflow"}.weft.json`;
    return new Response(JSON.stringify(file, null, 2), {
      headers: { "Content-Type": "application/json; charset=utf-8", "Content-Disposition": `attachment; filename="${filename}"` },
    });
  });
}
