import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { WeftClient } from "@/lib/client/weft-client";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { db } from "@/lib/db/client";
import { getRunView, toldRunView } from "@/lib/api/runs";
import { waitForRunEnd, watchRunEnd } from "@/lib/api/wait";
import type { EndWatcher, RunEventHub } from "@/lib/runs/event-hub";
import { runEndsChannel } from "@/lib/runs/events";
import { createRedis } from "@/lib/queue/redis";
import { createWorkflow } from "@/lib/workflows/service";
import { publishWorkflow } from "@/lib/workflows/versions";
import type { Graph } from "@/lib/engine/graph";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { clientFor, createKey } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { approvalGraph, waitForStatus } from "./helpers/waits";
import { answerWait } from "@/lib/runs/waits";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * A synchronous call's answer comes from the view its run's final statement built and its end
 * message carried (no read after the end): it must be the very view a later GET /runs/:id shows.
 */
let worker: WorkerProcess;
let server: OpenAiServer;
let member: Member;
let client: WeftClient;
let listener: Redis;
const ends = new Map<string, { status: string; view?: unknown }>();
const ids: Record<string, string> = {};

const at = (x: number) => ({ x, y: 0 });
function codeWorkflow(code: string): Graph {
  return {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: at(0), data: { inputs: [{ name: "numbers", label: "", type: "array", required: true, description: "" }] } },
      { id: "code", type: "code", position: at(200), data: { inputs: [{ name: "numbers", value: "{{ start.numbers }}" }], code, outputs: [{ name: "sum", type: "number" }, { name: "text", type: "string" }] } },
      { id: "end", type: "end", position: at(400), data: { outputs: [{ name: "sum", value: "{{ code.sum }}" }, { name: "text", value: "{{ code.text }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "code" },
      { id: "e2", source: "code", target: "end" },
    ],
  } as unknown as Graph;
}

const workflows = {
  sum: codeWorkflow("function main(inputs) {\n  return { sum: inputs.numbers.reduce((a, b) => a + b, 0), text: 'ok' };\n}"),
  throws: codeWorkflow("function main(inputs) {\n  throw new Error('no numbers today');\n}"),
  // 100 KB of output: past the largest view an end message carries (MAX_END_VIEW_CHARS).
  large: codeWorkflow("function main(inputs) {\n  return { sum: inputs.numbers.length, text: 'x'.repeat(100000) };\n}"),
};

async function endOf(runId: string): Promise<{ status: string; view?: unknown }> {
  for (let i = 0; i < 100 && !ends.has(runId); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  const end = ends.get(runId);
  if (!end) throw new Error(`no end message for run ${runId}`);
  return end;
}

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: "sk-test-key-1234" });
  worker = await startWorkerProcess();
  member = await createTestMember("developer");
  const provider = await createTestProvider(member.workspaceId, server.url);
  await db().modelProvider.update({ where: { id: provider.id }, data: { modelInfo: { "test-model": { inputPrice: 2, outputPrice: 10, currency: "USD" } } } });
  const [assistant, ticket] = exampleWorkflows({ providerId: provider.id, model: "test-model" });
  for (const [name, graph] of [["assistant", assistant!.graph], ["ticket", ticket!.graph], ["approval", approvalGraph()], ...Object.entries(workflows)] as const) {
    ids[name] = (await createWorkflow(member, { name: `sync view ${name}`, graph: graph as Graph })).id;
    await publishWorkflow(member, ids[name]!);
  }
  client = clientFor((await createKey(member)).secret);
  listener = createRedis();
  listener.on("message", (_channel: string, message: string) => {
    const end = JSON.parse(message) as { runId: string; status: string; view?: unknown };
    ends.set(end.runId, end);
  });
  await listener.subscribe(runEndsChannel());
});

beforeEach(() => server.reset());

afterAll(async () => {
  listener?.disconnect();
  await worker?.stop();
  await server?.close();
});

/** The sync answer, the end message's view and a later read of the run. */
async function runSyncAndRead(name: string, inputs: Record<string, unknown>) {
  const result = await client.runSync(ids[name]!, { inputs, timeoutMs: 20_000 });
  if (!WeftClient.isFinished(result)) throw new Error(`run of ${name} did not finish: ${JSON.stringify(result)}`);
  const end = await endOf(result.id);
  return { result, end, read: await client.getRun(result.id) };
}

describe("sync runs answer with the view their end message carried", () => {
  it("a Code run: the answer is the told view, equal to what GET /runs/:id shows", async () => {
    const { result, end, read } = await runSyncAndRead("sum", { numbers: [1, 2, 3, 4] });
    expect(result).toMatchObject({ status: "succeeded", output: { sum: 10, text: "ok" }, version: 1 });
    expect(end.view).toBeDefined();
    expect(toldRunView(member.workspaceId, result.id, end.view)).toEqual(await getRunView(member.workspaceId, result.id));
    expect(result).toEqual(read);
    expect(result.steps.map((s) => [s.nodeId, s.status])).toEqual([["start", "succeeded"], ["code", "succeeded"], ["end", "succeeded"]]);
  });

  it("a failed run: the error and the failed step are in the told view", async () => {
    const { result, end, read } = await runSyncAndRead("throws", { numbers: [1] });
    expect(result).toMatchObject({ status: "failed", error: { message: expect.stringContaining("no numbers today") } });
    expect(end.view).toBeDefined();
    expect(result).toEqual(read);
  });

  it("a model run: tokens, cost and the API key are in the told view", async () => {
    server.script({ text: "Bonjour Ada", usage: { prompt_tokens: 9, completion_tokens: 2 } });
    const { result, end, read } = await runSyncAndRead("assistant", { question: "greet Ada in French" });
    expect(result).toMatchObject({ status: "succeeded", usage: { promptTokens: 9, completionTokens: 2, totalTokens: 11 }, cost: { USD: expect.any(Number) } });
    expect(result.initiator).toMatchObject({ kind: "api_key", id: expect.any(String) });
    expect(end.view).toBeDefined();
    expect(result).toEqual(read);
  });

  it("a run with skipped branches: the steps in the same order as a read lists them", async () => {
    const { result, end, read } = await runSyncAndRead("ticket", { customer: "Ada", message: "refund please", priority: 1 });
    expect(result.steps.map((s) => [s.nodeId, s.status])).toContainEqual(["escalate", "skipped"]);
    expect(end.view).toBeDefined();
    expect(result).toEqual(read);
  });

  it("a view past the size limit stays out of the end message; the answer is read instead, the same", async () => {
    const { result, end, read } = await runSyncAndRead("large", { numbers: [1, 2] });
    expect(result).toMatchObject({ status: "succeeded", output: { sum: 2 } });
    expect(end).toMatchObject({ status: "succeeded" });
    expect(end.view).toBeUndefined();
    expect(result).toEqual(read);
  });

  it("an asynchronous run's end tells no view: nobody waits for it", async () => {
    const accepted = await client.startRun(ids.sum!, { inputs: { numbers: [5] } });
    await waitForRun(accepted.runId);
    const end = await endOf(accepted.runId);
    expect(end).toMatchObject({ status: "succeeded" });
    expect(end.view).toBeUndefined();
  });

  it("a view of another workspace's run, or of another run, is not taken", async () => {
    const { result, end } = await runSyncAndRead("sum", { numbers: [7] });
    expect(toldRunView("another-workspace", result.id, end.view)).toBeNull();
    expect(toldRunView(member.workspaceId, "another-run", end.view)).toBeNull();
    expect(toldRunView(member.workspaceId, result.id, { id: result.id })).toBeNull();
  });

  it("the waiter answers with the told view and reads nothing; a view it cannot take sends it to PostgreSQL", async () => {
    const { end } = await runSyncAndRead("sum", { numbers: [3, 4] });
    // The same view told for a run id that was never stored: only the told view can answer for it.
    const runId = randomUUID();
    const told = { ...(end.view as Record<string, unknown>), id: runId };
    const hubTelling = (view: unknown) =>
      ({
        watchEnd: async (_runId: string, watcher: EndWatcher) => {
          setTimeout(() => watcher.onEnd("succeeded", view), 10);
          return () => undefined;
        },
      }) as unknown as RunEventHub;
    const answered = await waitForRunEnd(member.workspaceId, runId, 5_000, undefined, await watchRunEnd(runId, { hub: hubTelling(told) }));
    expect(answered).toMatchObject({ id: runId, status: "succeeded", output: { sum: 7 } });
    // Another workspace's view is not taken: the waiter reads, and finds no such run.
    const foreign = await waitForRunEnd("another-workspace", runId, 5_000, undefined, await watchRunEnd(runId, { hub: hubTelling(told) }));
    expect(foreign).toBeNull();
  });

  it("a run that waited for an approval answers the sync call once approved, with the view read after its end", async () => {
    const pending = client.runSync(ids.approval!, { inputs: { customer: "Ada" }, timeoutMs: 20_000 });
    const run = await eventuallyWaiting();
    await answerWait({ kind: "member", member }, run.id, { nodeId: "gate" }, { decision: "approve", comment: "fine" });
    const result = await pending;
    if (!WeftClient.isFinished(result)) throw new Error(`not finished: ${JSON.stringify(result)}`);
    expect(result).toMatchObject({ status: "succeeded", output: { decision: "approved", comment: "fine" } });
    expect(result.waits).toEqual([expect.objectContaining({ nodeId: "gate", status: "answered" })]);
    // The resumed run's job came from the answer, not from the sync call: its end tells no view.
    expect((await endOf(result.id)).view).toBeUndefined();
    expect(result).toEqual(await client.getRun(result.id));
  });
});

/** The approval workflow's run, once it waits. */
async function eventuallyWaiting() {
  for (let i = 0; i < 200; i++) {
    const run = await db().run.findFirst({ where: { workflowId: ids.approval!, status: "waiting" }, select: { id: true } });
    if (run) return waitForStatus(run.id, "waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the approval run never waited");
}
