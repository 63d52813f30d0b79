import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as budgetRoute from "@/app/api/budget/route";
import * as runsRoute from "@/app/api/workflows/[id]/runs/route";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { setWorkflowLimits } from "@/lib/limits/budgets";
import { startRun } from "@/lib/runs/service";
import { createWorkflow } from "@/lib/workflows/service";
import { publishWorkflow } from "@/lib/workflows/versions";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { apiRequest, createKey, routeFetch } from "./helpers/api-v1";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Budgets and rate limits with two real worker processes sharing PostgreSQL and Redis, and LLM
 * steps through the real LangChain client to the OpenAI-wire test server. The limits' "minute"
 * is shortened for the test (WEFT_RATE_WINDOW_MS), as are the provider slot's time to live and
 * the BullMQ lock (so a killed worker's run moves on within seconds).
 */

const WINDOW_MS = 3_000;
const WORKER_ENV = { WEFT_RATE_WINDOW_MS: String(WINDOW_MS), WEFT_PROVIDER_SLOT_TTL_MS: "2000", WEFT_WORKER_LOCK_MS: "2000", WEFT_WORKER_STALLED_MS: "1000" };

let server: OpenAiServer;
const workers: WorkerProcess[] = [];
let owner: { cookie: string; userId: string; workspaceId: string };
let member: Member;

beforeAll(async () => {
  server = await startOpenAiServer();
  workers.push(await startWorkerProcess(WORKER_ENV), await startWorkerProcess(WORKER_ENV));
  owner = await signUpUser("Limits Owner");
  const membership = await db().membership.findFirstOrThrow({ where: { userId: owner.userId }, include: { user: true, workspace: true } });
  member = { userId: owner.userId, workspaceId: owner.workspaceId, role: membership.role, email: membership.user.email, name: membership.user.name, workspaceName: membership.workspace.name };
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await server?.close();
});

/** An "Ask the assistant" workflow on a new provider of the test server with these limits. */
async function llmWorkflow(name: string, limits: Record<string, number> = {}) {
  const provider = await createTestProvider(member.workspaceId, server.url, { models: ["test-model"] });
  await db().modelProvider.update({ where: { id: provider.id }, data: { limits } });
  const example = exampleWorkflows({ providerId: provider.id, model: "test-model" })[0]!;
  const workflow = await createWorkflow(member, { name, description: "", graph: example.graph });
  return { workflow, provider };
}

/** Waits for every run to finish, noting each throttle reason seen on the way. */
async function finishAll(runIds: string[], timeoutMs = 90_000) {
  const reasons = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await db().run.findMany({ where: { id: { in: runIds } }, select: { status: true, throttledReason: true } });
    for (const row of rows) if (row.throttledReason) reasons.add(row.throttledReason);
    if (rows.every((r) => ["succeeded", "failed", "cancelled"].includes(r.status))) break;
    if (Date.now() > deadline) throw new Error(`runs not finished: ${rows.map((r) => r.status).join(", ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { runs: await Promise.all(runIds.map((id) => waitForRun(id))), reasons };
}

describe("provider requests-per-minute limit", () => {
  it("lets no more than N requests per window reach the provider from both workers; the extra runs wait throttled and then succeed", async () => {
    const { workflow, provider } = await llmWorkflow("RPM limited", { requestsPerMinute: 2 });
    const before = server.requests.length;
    const runIds = await Promise.all(Array.from({ length: 5 }, (_, i) => startRun(member, workflow.id, { inputs: { question: `question ${i}` } }).then((r) => r.runId)));
    const { runs, reasons } = await finishAll(runIds);

    expect(runs.map((r) => r.status)).toEqual(Array(5).fill("succeeded"));
    expect([...reasons]).toContain(`provider "${provider.name}" allows 2 requests per minute`);
    const arrivals = server.requests.slice(before).filter((r) => r.path.endsWith("/chat/completions")).map((r) => r.at).sort((a, b) => a - b);
    expect(arrivals).toHaveLength(5);
    // Any window (less a margin for the hop from Redis's admission to the server) holds at most 2 requests.
    const margin = 300;
    for (const [i, at] of arrivals.entries()) expect(arrivals.filter((t) => t >= at && t < at + WINDOW_MS - margin).length, `window from request ${i}: ${arrivals.map((t) => t - arrivals[0]!).join(", ")}`).toBeLessThanOrEqual(2);
    // Both workers took part: each ran runs of the batch or was refused by the shared limit and gave
    // them back (which worker's fetch wins each job is up to the queue, so one may run them all).
    for (const worker of workers) expect(worker.output()).toMatch(/"msg":"run (processed|throttled: given back to the queue)"/);
    // Nothing is left throttled on finished runs.
    expect(runs.every((r) => r.throttledReason === null)).toBe(true);
  }, 120_000);
});

describe("workflow concurrency limit", () => {
  it("runs three runs of a workflow limited to 1 one at a time, none failing", async () => {
    const { workflow } = await llmWorkflow("One at a time");
    await setWorkflowLimits(member, workflow.id, { maxConcurrentRuns: 1 });
    server.setChunkDelay(40);
    try {
      const runIds = await Promise.all(Array.from({ length: 3 }, (_, i) => startRun(member, workflow.id, { inputs: { question: `one two three four five six seven ${i}` } }).then((r) => r.runId)));
      const { runs, reasons } = await finishAll(runIds);
      expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
      expect([...reasons]).toContain(`workflow "One at a time" runs at most 1 at once`);
      // The LLM steps' spans do not overlap: each run ran while no other did.
      const spans = runs.map((r) => r.steps.find((s) => s.nodeId === "llm")!).map((s) => [s.startedAt.getTime(), s.finishedAt!.getTime()] as const).sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    } finally {
      server.setChunkDelay(0);
    }
  }, 120_000);
});

describe("monthly budget", () => {
  it("refuses new runs through the public API and the internal route once the workspace's budget is spent, and accepts them again when an admin raises it", async () => {
    const { workflow } = await llmWorkflow("Budgeted");
    await publishWorkflow(member, workflow.id);
    const set = await budgetRoute.PUT(routeRequest("PUT", "/api/budget", owner.cookie, { budget: { monthlyLimit: 0.5, currency: "USD", warnPercent: 50 } }));
    expect(set.status).toBe(200);
    // This month's spend: a finished run that cost more than the budget.
    await db().run.create({
      data: { workspaceId: member.workspaceId, workflowId: workflow.id, workflowName: "Budgeted", graph: {}, inputs: {}, status: "succeeded", cost: { USD: 0.75 }, finishedAt: new Date() },
    });

    const internal = await runsRoute.POST(routeRequest("POST", `/api/workflows/${workflow.id}/runs`, owner.cookie, { inputs: { question: "?" } }), routeParams(workflow.id));
    expect(internal.status).toBe(402);
    const internalBody = (await internal.json()) as { error: { code: string; message: string; budget: unknown } };
    expect(internalBody.error.code).toBe("budget_exhausted");
    expect(internalBody.error.message).toContain("monthly budget of 0.5 USD is spent");
    expect(internalBody.error.budget).toMatchObject({ scope: "workspace", monthlyLimit: 0.5, spent: 0.75, currency: "USD" });

    const key = await createKey(member);
    const api = await routeFetch(apiRequest("POST", `/api/v1/workflows/${workflow.id}/runs`, `Bearer ${key.secret}`, { inputs: { question: "?" }, mode: "async" }));
    expect(api.status).toBe(402);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("budget_exhausted");
    expect(await db().run.count({ where: { workflowId: workflow.id, status: "queued" } })).toBe(0);

    const overview = (await (await budgetRoute.GET(routeRequest("GET", "/api/budget", owner.cookie))).json()) as { budget: { state: string; spent: number } };
    expect(overview.budget).toMatchObject({ state: "exhausted", spent: 0.75 });

    const raised = await budgetRoute.PUT(routeRequest("PUT", "/api/budget", owner.cookie, { budget: { monthlyLimit: 10, currency: "USD", warnPercent: 80 } }));
    expect(raised.status).toBe(200);
    const accepted = await routeFetch(apiRequest("POST", `/api/v1/workflows/${workflow.id}/runs`, `Bearer ${key.secret}`, { inputs: { question: "?" }, mode: "async" }));
    expect(accepted.status).toBe(202);
    const { runId } = (await accepted.json()) as { runId: string };
    expect((await waitForRun(runId)).status).toBe("succeeded");
    await budgetRoute.PUT(routeRequest("PUT", "/api/budget", owner.cookie, { budget: null }));
  }, 60_000);
});

describe("a worker killed while holding limits", () => {
  it("does not leak the workflow's concurrency slot or the provider's call slot: the other runs continue", async () => {
    const { workflow } = await llmWorkflow("Killed holder", { maxConcurrentCalls: 1 });
    await setWorkflowLimits(member, workflow.id, { maxConcurrentRuns: 1 });
    server.setChunkDelay(150);
    try {
      const first = (await startRun(member, workflow.id, { inputs: { question: "a b c d e f g h i j k l m n o p q r s t" } })).runId;
      // Wait until a worker is in the middle of the first run's model call.
      const deadline = Date.now() + 20_000;
      let owner: string | null = null;
      while (Date.now() < deadline && !(owner && server.openStreams() > 0)) {
        owner = (await db().run.findUniqueOrThrow({ where: { id: first }, select: { leaseOwner: true } })).leaseOwner;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(owner).not.toBeNull();
      const others = await Promise.all([1, 2].map((i) => startRun(member, workflow.id, { inputs: { question: `later ${i}` } }).then((r) => r.runId)));
      const holder = workers.find((w) => owner!.startsWith(`worker-${w.child.pid}-`))!;
      expect(holder).toBeDefined();
      await holder.stop("SIGKILL");
      workers.splice(workers.indexOf(holder), 1);

      const { runs } = await finishAll([first, ...others]);
      expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    } finally {
      server.setChunkDelay(0);
    }
  }, 120_000);
});
