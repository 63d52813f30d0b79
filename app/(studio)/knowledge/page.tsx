import type { Metadata } from "next";
import { knowledgeBaseView } from "@/components/knowledge/views";
import { KnowledgeBasesList } from "@/components/knowledge/knowledge-bases-list";
import { PageHeader } from "@/components/shell/page-header";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listKnowledgeBases } from "@/lib/knowledge/service";

export const metadata: Metadata = { title: "Knowledge" };

export default async function KnowledgePage() {
  const member = await requireMember("knowledge.read");
  const bases = await listKnowledgeBases(member);
  return (
    <div className="mx-auto max-w-6xl space-y-8 p-8">
      <PageHeader title="Knowledge" description="Documents your agents search and cite: upload files or paste text, then test what retrieval finds." />
      <KnowledgeBasesList initialKnowledgeBases={bases.map(knowledgeBaseView)} canManage={can(member.role, "knowledge.manage")} />
    </div>
  );
}
