import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as documentRoute from "@/app/api/knowledge-bases/[id]/documents/[documentId]/route";
import * as documentsRoute from "@/app/api/knowledge-bases/[id]/documents/route";
import * as eventsRoute from "@/app/api/knowledge-bases/[id]/events/route";
import { db } from "@/lib/db/client";
import { runEventHub } from "@/lib/runs/event-hub";
import { createFilesystemStorage } from "@/lib/storage/filesystem";
import { HANDBOOK_MD } from "../fixtures/knowledge-corpus";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { createTestKnowledgeBase, signUpOwnerViewerStranger } from "./helpers/knowledge";
import { readEvents } from "./helpers/session";
import { call, ctx } from "./helpers/studio-request";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/** Live document progress: worker → Redis channel of the knowledge base → SSE route (lib/knowledge/progress.ts). */

let server: OpenAiServer;
let worker: WorkerProcess;
let storageDir: string;
let owner: { cookie: string; workspaceId: string };
let viewerCookie: string;
let strangerCookie: string;

type SseEvent = { event: string; data: unknown };
type Progress = { documentId: string; status: string; chunksDone: number; chunksTotal: number; error: { code?: string } | null };

beforeAll(async () => {
  storageDir = await mkdtemp(path.join(tmpdir(), "weft-knowledge-events-"));
  (globalThis as { __weftStorage?: unknown }).__weftStorage = createFilesystemStorage(storageDir);
  server = await startOpenAiServer({ host: "127.0.0.1" });
  // Batches of 2 texts: the embedding stage reports its count several times.
  worker = await startWorkerProcess({ WEFT_STORAGE_DIR: storageDir, WEFT_EMBEDDING_BATCH_SIZE: "2" });
  ({ owner, viewerCookie, strangerCookie } = await signUpOwnerViewerStranger("Events"));
});
afterAll(async () => {
  await worker?.stop();
  await server?.close();
  await rm(storageDir, { recursive: true, force: true });
});

const upload = (kbId: string, name: string, body: string, type = "text/markdown") =>
  documentsRoute.POST(call("POST", `/api/knowledge-bases/${kbId}/documents?name=${encodeURIComponent(name)}`, owner.cookie, new TextEncoder().encode(body), { "content-type": type }), ctx({ id: kbId }));

/** Opens the stream as `cookie`, runs `act` once the snapshot is in (the subscription is live by then), reads until `until`. */
async function watch(kbId: string, cookie: string, act: () => Promise<unknown>, until: (event: SseEvent) => boolean) {
  const response = await eventsRoute.GET(call("GET", `/api/knowledge-bases/${kbId}/events`, cookie), ctx({ id: kbId }));
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  let acting: Promise<unknown> | undefined;
  const events = await readEvents(response, (event) => {
    if (event.event === "snapshot" && !acting) acting = act();
    return until(event);
  }, 60_000);
  await acting;
  return events;
}

describe("GET /api/knowledge-bases/{id}/events", () => {
  it("pushes a snapshot, then every stage of an upload in order with chunk counts, ending indexed", async () => {
    const kb = await createTestKnowledgeBase(owner.workspaceId, server.url, { chunkSize: 200, chunkOverlap: 20 });
    let documentId = "";
    const events = await watch(
      kb.id,
      viewerCookie,
      async () => (documentId = ((await (await upload(kb.id, "handbook.md", HANDBOOK_MD)).json()) as { id: string }).id),
      (event) => event.event === "document" && ["indexed", "failed"].includes((event.data as Progress).status),
    );
    expect(events[0]).toMatchObject({ event: "snapshot", data: { knowledgeBase: { id: kb.id }, documents: [] } });
    const progress = events.slice(1).map((e) => e.data as Progress);
    expect(progress.every((p) => p.documentId === documentId)).toBe(true);
    // Each stage once, in order (consecutive embedding events carry growing counts).
    const stages = progress.map((p) => p.status).filter((status, i, all) => status !== all[i - 1]);
    expect(stages).toEqual(["queued", "parsing", "chunking", "embedding", "indexed"]);
    const embedding = progress.filter((p) => p.status === "embedding");
    const total = embedding[0]!.chunksTotal;
    expect(total).toBeGreaterThan(4);
    expect(embedding.length).toBeGreaterThanOrEqual(Math.ceil(total / 2));
    expect(embedding.map((p) => p.chunksDone)).toEqual([...embedding.map((p) => p.chunksDone)].sort((a, b) => a - b));
    expect(embedding.at(-1)!.chunksDone).toBe(total);
    const stored = await db().knowledgeDocument.findUniqueOrThrow({ where: { id: documentId } });
    expect(progress.at(-1)).toMatchObject({ status: "indexed", chunksDone: stored.chunksTotal, chunksTotal: stored.chunksTotal, error: null });
    expect(stored.status).toBe("indexed");

    // A watcher arriving later gets the finished state from PostgreSQL in its snapshot.
    const late = await watch(kb.id, owner.cookie, async () => undefined, (event) => event.event === "snapshot");
    expect(late[0]!.data).toMatchObject({ documents: [{ id: documentId, status: "indexed", chunksDone: stored.chunksTotal }] });
  });

  it("pushes a failure with its error and a deletion; one shared subscriber serves every stream", async () => {
    const kb = await createTestKnowledgeBase(owner.workspaceId, server.url);
    const before = runEventHub().stats().connections;
    let documentId = "";
    const events = await watch(
      kb.id,
      owner.cookie,
      async () => {
        documentId = ((await (await upload(kb.id, "empty.txt", " ", "text/plain")).json()) as { id: string }).id;
      },
      (event) => event.event === "document" && (event.data as Progress).status === "failed",
    );
    expect(events.at(-1)!.data).toMatchObject({ documentId, status: "failed", error: { code: "empty" } });
    const deleted = await watch(
      kb.id,
      owner.cookie,
      () => documentRoute.DELETE(call("DELETE", "/", owner.cookie), ctx({ id: kb.id, documentId })),
      (event) => event.event === "document.deleted",
    );
    expect(deleted.at(-1)!.data).toMatchObject({ documentId, knowledgeBaseId: kb.id });
    expect(runEventHub().stats().connections).toBeLessThanOrEqual(Math.max(before, 1));
  });

  it("is 404 for a member of another workspace, before any stream", async () => {
    const kb = await createTestKnowledgeBase(owner.workspaceId, server.url);
    const response = await eventsRoute.GET(call("GET", `/api/knowledge-bases/${kb.id}/events`, strangerCookie), ctx({ id: kb.id }));
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).not.toContain("text/event-stream");
  });
});
