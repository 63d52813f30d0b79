import { withMember } from "@/lib/auth/http";
import { recordMemberAction } from "@/lib/audit/member-action";
import { AuditExportFormatSchema, exportStream } from "@/lib/audit/export";
import { AuditFilterSchema, allAuditEvents, parseSearchParams } from "@/lib/audit/query";
import { z } from "zod";

const ExportQuerySchema = z.object({ format: AuditExportFormatSchema.default("csv") });
const CONTENT_TYPES = { csv: "text/csv; charset=utf-8", jsonl: "application/x-ndjson; charset=utf-8" } as const;

/**
 * GET /api/audit/export?format=csv|jsonl&(the list's filters): every matching entry, streamed as
 * it is read. The export itself is an audit entry (who took a copy of the log, with which filter).
 */
export const GET = withMember("audit.export", async (request, member) => {
  const params = new URL(request.url).searchParams;
  const filter = parseSearchParams(AuditFilterSchema, params);
  const { format } = parseSearchParams(ExportQuerySchema, params);
  await recordMemberAction(member, "audit.exported", { type: "workspace", id: member.workspaceId, label: member.workspaceName }, { metadata: { format, filter } });
  const day = new Date().toISOString().slice(0, 10);
  return new Response(exportStream(format, allAuditEvents(member, filter)), {
    headers: {
      "Content-Type": CONTENT_TYPES[format],
      "Content-Disposition": `attachment; filename="audit-${day}.${format}"`,
      "Cache-Control": "no-store",
    },
  });
});
