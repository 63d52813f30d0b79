import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { HANDBOOK_KNOWLEDGE_BASE, HANDBOOK_PAGES } from "@/lib/examples/handbook";
import { startRun } from "@/lib/runs/service";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { chunksOf } from "./helpers/knowledge";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * The quick start's seed (prisma/seed.ts, run as the quick start runs it) builds "Ask the handbook":
 * a knowledge base indexed with the demo embeddings while no demo model is running (the seed runs
 * one in its own process), and a workflow that answers with citations when a worker runs it.
 */
const run = promisify(execFile);
let storageDir: string;
let demoUrl: string;
let demo: OpenAiServer | undefined;
let worker: WorkerProcess | undefined;
let seededBefore = false;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const seed = () =>
  run(process.execPath, ["--import", "tsx", "prisma/seed.ts"], { env: { ...process.env, WEFT_DEMO_MODEL_URL: demoUrl, WEFT_STORAGE_DIR: storageDir }, timeout: 120_000 });

beforeAll(async () => {
  storageDir = await mkdtemp(path.join(tmpdir(), "weft-seed-"));
  // Another file may have seeded this database already (tests/integration/ssrf.allow-list.test.ts):
  // the demo provider keeps the address it was seeded with, so this file serves the demo model there.
  const seeded = await db().modelProvider.findFirst({ where: { name: "Demo model (local)", workspace: { memberships: { some: { user: { email: "demo@weft.local" } } } } } });
  seededBefore = seeded !== null;
  demoUrl = seeded?.baseUrl ?? `http://127.0.0.1:${await freePort()}/v1`;
});
afterAll(async () => {
  await worker?.stop();
  // Leave the database as this file found it: other files seed the demo workspace with their own model address.
  const user = seededBefore ? null : await db().user.findUnique({ where: { email: "demo@weft.local" }, include: { memberships: true } });
  if (user) {
    const workspaceIds = user.memberships.map((m) => m.workspaceId);
    await db().knowledgeBase.deleteMany({ where: { workspaceId: { in: workspaceIds } } });
    await db().workspace.deleteMany({ where: { id: { in: workspaceIds } } });
    await db().user.delete({ where: { id: user.id } });
  }
  await demo?.close();
  await rm(storageDir, { recursive: true, force: true });
});

describe('the seeded "Ask the handbook" example', () => {
  it("indexes the handbook offline, idempotently, and its workflow answers with the sources it used", { timeout: 240_000 }, async () => {
    await seed();
    const user = await db().user.findUniqueOrThrow({ where: { email: "demo@weft.local" } });
    const membership = await db().membership.findFirstOrThrow({ where: { userId: user.id } });
    const kb = await db().knowledgeBase.findFirstOrThrow({ where: { workspaceId: membership.workspaceId, name: HANDBOOK_KNOWLEDGE_BASE }, include: { documents: true } });
    expect(kb).toMatchObject({ embeddingModel: "demo-embedding", dimensions: 256 });
    expect(kb.documents.map((d) => [d.name, d.status]).sort()).toEqual(HANDBOOK_PAGES.map((name) => [name, "indexed"]).sort());
    const chunks = (await Promise.all(kb.documents.map((d) => chunksOf(d.id)))).flat();
    expect(chunks.length).toBeGreaterThanOrEqual(HANDBOOK_PAGES.length);
    expect(chunks.every((c) => c.hasEmbedding)).toBe(true);

    // Again: nothing new, nothing re-embedded.
    const workflowsBefore = await db().workflow.count({ where: { workspaceId: membership.workspaceId } });
    await seed();
    expect(await db().knowledgeBase.count({ where: { workspaceId: membership.workspaceId } })).toBe(1);
    expect(await db().knowledgeDocument.count({ where: { knowledgeBaseId: kb.id } })).toBe(HANDBOOK_PAGES.length);
    expect(await db().workflow.count({ where: { workspaceId: membership.workspaceId } })).toBe(workflowsBefore);
    expect((await Promise.all(kb.documents.map((d) => chunksOf(d.id)))).flat().map((c) => c.contentHash)).toEqual(chunks.map((c) => c.contentHash));

    // The demo model as the quick start runs it, and a worker: run the example.
    demo = await startOpenAiServer({ host: "127.0.0.1", port: Number(new URL(demoUrl).port), models: ["demo-echo", "demo-embedding"] });
    worker = await startWorkerProcess({ WEFT_STORAGE_DIR: storageDir, WEFT_ALLOW_PRIVATE_NETWORK: "false" });
    const workflow = await db().workflow.findFirstOrThrow({ where: { workspaceId: membership.workspaceId, name: "Ask the handbook" } });
    const member: Member = { userId: user.id, email: user.email, name: user.name, workspaceId: membership.workspaceId, workspaceName: "Demo workspace", role: membership.role };
    const { runId } = await startRun(member, workflow.id, { inputs: { question: "How many vacation days do I get per year?" } });
    const result = await waitForRun(runId, 60_000);
    expect(result.status, JSON.stringify(result.error)).toBe("succeeded");
    const output = result.output as { answer: string; sources: string };
    // The demo model echoes its prompt: the cited handbook text reached it, numbered.
    expect(output.answer).toMatch(/\[1\] leave\.md/);
    expect(output.answer).toContain("26 vacation days");
    expect(output.sources.split("\n")[0]).toMatch(/^\[1\] leave\.md, Leave and time off › Vacation$/);
    expect(demo.chatRequests().at(-1)!.model).toBe("demo-echo");
  });
});
