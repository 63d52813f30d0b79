import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { KnowledgeBaseDetail } from "@/components/knowledge/knowledge-base-detail";
import { documentView, knowledgeBaseView } from "@/components/knowledge/views";
import { PageHeader } from "@/components/shell/page-header";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listDocuments } from "@/lib/knowledge/document-service";
import { getKnowledgeBase } from "@/lib/knowledge/service";
import { RouteIdSchema } from "@/lib/http/route";
import { ServiceError } from "@/lib/services/errors";

export const metadata: Metadata = { title: "Knowledge base" };

export default async function KnowledgeBasePage({ params }: { params: Promise<{ id: string }> }) {
  const member = await requireMember("knowledge.read");
  const { id } = await params;
  if (!RouteIdSchema.safeParse(id).success) notFound();
  let kb;
  try {
    kb = await getKnowledgeBase(member, id);
  } catch (error) {
    if (error instanceof ServiceError && error.code === "not_found") notFound();
    throw error;
  }
  const documents = await listDocuments(member, kb.id);
  return (
    <div className="mx-auto max-w-6xl space-y-8 p-8">
      <PageHeader
        title={kb.name}
        description={
          <>
            <Link className="underline" href="/knowledge">
              Knowledge
            </Link>{" "}
            · {kb.description || "No description"} · <code className="text-xs">{kb.embeddingModel}</code> ({kb.dimensions} dimensions), chunks of {kb.chunkSize} characters with {kb.chunkOverlap} overlap ({kb.splitter})
          </>
        }
      />
      <KnowledgeBaseDetail knowledgeBase={knowledgeBaseView(kb)} initialDocuments={documents.map(documentView)} canEdit={can(member.role, "knowledge.edit")} canManage={can(member.role, "knowledge.manage")} />
    </div>
  );
}
