/**
 * Seeds a demo workspace: a demo user (email + password), a model provider pointing at the local
 * demo model server (scripts/demo-model.ts, started by the quick start), that server's host:port
 * (and nothing else) on the workspace's network allow-list, the example workflows, and the
 * "Ask the handbook" knowledge base (indexed with the demo embeddings) with its workflow.
 * Idempotent: running it again changes nothing.
 */
import { createAuth } from "@/lib/auth/auth";
import { db } from "@/lib/db/client";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { storage } from "@/lib/storage";
import type { Prisma } from "@/lib/generated/prisma/client";

export const DEMO_USER = { email: "demo@weft.local", password: "weft-demo-1234", name: "Demo User" };
export const DEMO_MODEL_URL = process.env.WEFT_DEMO_MODEL_URL ?? "http://127.0.0.1:4010/v1";

/** The demo model's host:port: the one private address the demo workspace may reach (private networks stay closed). */
function demoModelAllowEntry(url = DEMO_MODEL_URL): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol === "https:" ? "443" : "80")}`;
}

/**
 * The demo model answers the handbook's embeddings. The quick start seeds before it starts the
 * demo model, so the seed runs the same server in its own process for the few seconds it needs.
 */
async function withDemoModel<T>(work: () => Promise<T>): Promise<T> {
  const up = await fetch(`${DEMO_MODEL_URL}/models`).then((r) => r.ok, () => false);
  if (up) return work();
  const { startOpenAiServer } = await import("../tests/fixtures/openai-server");
  const url = new URL(DEMO_MODEL_URL);
  const server = await startOpenAiServer({ host: url.hostname, port: Number(url.port), models: ["demo-echo", "demo-embedding"] });
  try {
    return await work();
  } finally {
    await server.close();
  }
}

/** "Ask the handbook": a knowledge base indexed with the demo embeddings and its workflow (lib/examples/handbook.ts). */
async function seedHandbookExample(workspaceId: string, providerId: string) {
  const { handbookWorkflow, seedHandbook } = await import("@/lib/examples/handbook");
  const kb = await withDemoModel(() => seedHandbook({ db: db(), storage: storage(), workspaceId, embedding: { providerId, model: "demo-embedding" } }));
  const example = handbookWorkflow({ providerId, model: "demo-echo" }, kb.id);
  if (await db().workflow.findFirst({ where: { workspaceId, name: example.name } })) return;
  await db().workflow.create({ data: { workspaceId, name: example.name, description: example.description, graph: example.graph as Prisma.InputJsonValue } });
}

async function seed() {
  let user = await db().user.findUnique({ where: { email: DEMO_USER.email } });
  if (!user) {
    // The operator runs the seed: WEFT_SIGNUP governs visitors, not the demo account it creates.
    await createAuth({ signUpMode: "open", rateLimit: false }).api.signUpEmail({ body: DEMO_USER });
    user = await db().user.findUniqueOrThrow({ where: { email: DEMO_USER.email } });
  }
  const membership = await db().membership.findFirstOrThrow({ where: { userId: user.id }, orderBy: { createdAt: "asc" } });
  const workspaceId = membership.workspaceId;
  const workspace = await db().workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { networkAllowList: true } });
  const entry = demoModelAllowEntry();
  const networkAllowList = workspace.networkAllowList.includes(entry) ? workspace.networkAllowList : [...workspace.networkAllowList, entry];
  await db().workspace.update({ where: { id: workspaceId }, data: { name: "Demo workspace", networkAllowList } });

  const provider =
    (await db().modelProvider.findFirst({ where: { workspaceId, name: "Demo model (local)" } })) ??
    (await db().modelProvider.create({
      data: {
        workspaceId,
        name: "Demo model (local)",
        kind: "openai_compatible",
        preset: "custom",
        baseUrl: DEMO_MODEL_URL,
        models: ["demo-echo", "demo-embedding"],
      },
    }));
  // The demo model also serves lexical embeddings (scripts/demo-model.ts); older seeds lack the model.
  if (!provider.models.includes("demo-embedding")) {
    await db().modelProvider.update({ where: { id: provider.id }, data: { models: [...provider.models, "demo-embedding"] } });
  }

  for (const example of exampleWorkflows({ providerId: provider.id, model: "demo-echo" })) {
    const exists = await db().workflow.findFirst({ where: { workspaceId, name: example.name } });
    if (exists) continue;
    await db().workflow.create({
      data: { workspaceId, name: example.name, description: example.description, graph: example.graph as Prisma.InputJsonValue },
    });
  }
  await seedHandbookExample(workspaceId, provider.id);
  console.log(`[seed] demo workspace ready: sign in as ${DEMO_USER.email} / ${DEMO_USER.password}`);
}

await seed();
await db().$disconnect();
