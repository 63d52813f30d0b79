import { liveSseStream, sseResponse } from "@/lib/api/run-stream";
import { withMember } from "@/lib/auth/http";
import { listDocuments } from "@/lib/knowledge/document-service";
import { followKnowledgeBase } from "@/lib/knowledge/follow";
import { getKnowledgeBase } from "@/lib/knowledge/service";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

/**
 * Server-Sent Events of one knowledge base's documents: `snapshot` ({ knowledgeBase, documents }
 * from PostgreSQL) first, then `document` (a stage or chunk count changed) and `document.deleted`
 * events as they happen (lib/knowledge/progress.ts). The stream stays open while the page does;
 * a deleted knowledge base ends it. Another workspace's knowledge base is 404 before any stream.
 */
export const GET = withMember("knowledge.read", async (request, member, { params }: Params) => {
  const { id } = await params;
  await getKnowledgeBase(member, id);
  const load = async () => {
    const [knowledgeBase, documents] = await Promise.all([getKnowledgeBase(member, id), listDocuments(member, id)]);
    return { knowledgeBase, documents };
  };
  const stream = liveSseStream(request, ({ write, close }) => {
    const send = (event: string, data: unknown) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    return followKnowledgeBase(id, {
      load,
      documents: (snapshot) => snapshot.documents,
      onSnapshot: (snapshot) => (snapshot ? send("snapshot", snapshot) : close()),
      onEvent: (event) => send(event.type, event),
    });
  });
  return sseResponse(stream);
});
