import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { WeftClient, type StreamedEvent } from "@/lib/client/weft-client";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { db } from "@/lib/db/client";
import { createWorkflow, getWorkflow, saveGraph } from "@/lib/workflows/service";
import { publishWorkflow } from "@/lib/workflows/versions";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { clientFor, createKey } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/** The public API's run modes end to end: the typed client → route handlers → queue → a real worker process. */
let worker: WorkerProcess;
let server: OpenAiServer;
let member: Member;
let client: WeftClient;
let ticketId: string;
let assistantId: string;
const ticketInputs = { customer: "Ada", message: "refund please", priority: 1 };

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: "sk-test-key-1234" });
  worker = await startWorkerProcess();
  member = await createTestMember("developer");
  const providerId = (await createTestProvider(member.workspaceId, server.url)).id;
  const [assistant, ticket] = exampleWorkflows({ providerId, model: "test-model" });
  ticketId = (await createWorkflow(member, { name: ticket!.name, graph: ticket!.graph })).id;
  assistantId = (await createWorkflow(member, { name: assistant!.name, graph: assistant!.graph })).id;
  await publishWorkflow(member, ticketId, "first");
  await publishWorkflow(member, assistantId);
  client = clientFor((await createKey(member)).secret);
});

beforeEach(() => server.reset());

afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

async function collect(events: AsyncIterable<StreamedEvent>, stopAfter?: (e: StreamedEvent) => boolean): Promise<StreamedEvent[]> {
  const seen: StreamedEvent[] = [];
  for await (const event of events) {
    seen.push(event);
    if (stopAfter?.(event)) break;
  }
  return seen;
}

describe("GET /api/v1/workflows", () => {
  it("lists published workflows with the latest version and the Start input schema", async () => {
    const workflows = await client.listWorkflows();
    const ticket = workflows.find((w) => w.id === ticketId)!;
    expect(ticket.latestVersion).toMatchObject({ version: 1, note: "first" });
    expect(ticket.inputs.map((i) => [i.name, i.type, i.required])).toEqual([
      ["customer", "string", true],
      ["message", "string", true],
      ["priority", "number", true],
    ]);
    expect(ticket.inputSchema).toMatchObject({
      type: "object",
      required: ["customer", "message", "priority"],
      properties: { priority: { type: "number" } },
      additionalProperties: false,
    });
  });
});

describe("POST /api/v1/workflows/:id/runs", () => {
  it("async: answers 202 with the run id at once; the run then finishes", async () => {
    const accepted = await client.startRun(ticketId, { inputs: ticketInputs });
    expect(accepted).toEqual({ runId: expect.any(String), status: "queued" });
    await waitForRun(accepted.runId);
    const run = await client.getRun(accepted.runId);
    expect(run).toMatchObject({ status: "succeeded", version: 1, output: { branch: "case_2" }, workflowId: ticketId });
    expect(run.steps.map((s) => [s.nodeId, s.status])).toContainEqual(["billing", "succeeded"]);
    expect(run.steps.map((s) => [s.nodeId, s.status])).toContainEqual(["escalate", "skipped"]);
  });

  it("sync: waits for the run and answers 200 with its output and steps", async () => {
    server.script({ text: "Bonjour Ada", usage: { prompt_tokens: 9, completion_tokens: 2 } });
    const result = await client.runSync(assistantId, { inputs: { question: "greet Ada in French" }, timeoutMs: 20_000 });
    expect(WeftClient.isFinished(result)).toBe(true);
    if (!WeftClient.isFinished(result)) return;
    expect(result).toMatchObject({ status: "succeeded", output: { answer: "Bonjour Ada" }, usage: { promptTokens: 9, completionTokens: 2, totalTokens: 11 } });
    expect(result.steps.map((s) => s.nodeId)).toEqual(["start", "llm", "end"]);
  });

  it("sync: answers 202 with the run id when the run outlasts timeoutMs", async () => {
    server.script({ text: "one two three four five six", chunkDelayMs: 300 });
    const result = await client.runSync(assistantId, { inputs: { question: "slow" }, timeoutMs: 200 });
    expect(WeftClient.isFinished(result)).toBe(false);
    expect(result).toMatchObject({ runId: expect.any(String), status: expect.stringMatching(/queued|running/) });
    const finished = await waitForRun((result as { runId: string }).runId);
    expect(finished.status).toBe("succeeded");
  });

  it("stream: snapshot first, then step and delta events, ending with the terminal run event; every event has an id", async () => {
    server.script({ text: "streamed words arrive one by one", chunkDelayMs: 40 });
    const events = await collect(client.streamRun(assistantId, { inputs: { question: "stream please" } }));
    expect(events[0]).toMatchObject({ type: "snapshot", run: { version: 1 } });
    expect(events.at(-1)).toMatchObject({ type: "run", status: "succeeded", output: { answer: "streamed words arrive one by one" } });
    const stepEvents = events.filter((e) => e.type === "step").map((e) => e.type === "step" && `${e.nodeId}:${e.status}`);
    expect(stepEvents).toEqual(expect.arrayContaining(["llm:succeeded", "end:succeeded"]));
    // The LLM step is seen running: as an event, or already in the snapshot when the worker was quicker than the subscription.
    const snapshotLlm = events[0]!.type === "snapshot" ? events[0]!.run.steps.find((s) => s.nodeId === "llm") : undefined;
    expect(stepEvents.includes("llm:running") || snapshotLlm?.status === "running").toBe(true);
    const first = snapshotLlm?.partialText;
    const text = (first ?? "") + events.flatMap((e) => (e.type === "delta" ? [e.text] : [])).join("");
    expect(text).toBe("streamed words arrive one by one");
    const ids = events.map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
  });

  it("stream: a client that drops mid-run and reconnects with Last-Event-ID gets a fresh snapshot, then live events to the end", async () => {
    server.script({ text: "a b c d e f g h i j k l", chunkDelayMs: 150 });
    const started = await client.startRun(assistantId, { inputs: { question: "resume me" } });
    const firstLeg = await collect(client.streamRunEvents(started.runId), (e) => e.type === "delta");
    expect(firstLeg[0]!.type).toBe("snapshot");
    const lastId = firstLeg.at(-1)!.id!;

    const secondLeg = await collect(client.streamRunEvents(started.runId, { lastEventId: lastId }));
    expect(secondLeg[0]).toMatchObject({ type: "snapshot", id: String(Number(lastId) + 1) });
    const snapshot = secondLeg[0]!.type === "snapshot" ? secondLeg[0]!.run : null;
    expect(snapshot?.status).toBe("running");
    const llmStep = snapshot?.steps.find((s) => s.nodeId === "llm");
    expect(llmStep?.status).toBe("running");
    // The text streamed so far comes with the snapshot; the deltas that follow continue it exactly.
    expect(llmStep?.partialText?.length).toBeGreaterThan(0);
    const resumedText = (llmStep?.partialText ?? "") + secondLeg.flatMap((e) => (e.type === "delta" ? [e.text] : [])).join("");
    expect(resumedText).toBe("a b c d e f g h i j k l");
    expect(secondLeg.at(-1)).toMatchObject({ type: "run", status: "succeeded" });
    const ids = secondLeg.map((e) => Number(e.id));
    expect(ids.every((id, i) => id === Number(lastId) + 1 + i)).toBe(true);

    // A reconnect after the end: snapshot and the terminal run event, then the stream closes.
    const afterEnd = await collect(client.streamRunEvents(started.runId, { lastEventId: secondLeg.at(-1)!.id! }));
    expect(afterEnd.map((e) => e.type)).toEqual(["snapshot", "run"]);
    expect(afterEnd[1]).toMatchObject({ status: "succeeded", output: { answer: "a b c d e f g h i j k l" } });
  });

  it("runs each new publish at once, a pinned version when asked, and takes a version's graph from this process once it has it", async () => {
    const at = (x: number) => ({ x, y: 0 });
    const graphSaying = (text: string) => ({
      version: 1 as const,
      nodes: [
        { id: "start", type: "start", position: at(0), data: { inputs: [] } },
        { id: "say", type: "template", position: at(200), data: { template: text, format: "text" } },
        { id: "end", type: "end", position: at(400), data: { outputs: [{ name: "said", value: "{{ say.text }}" }] } },
      ],
      edges: [
        { id: "a", source: "start", target: "say" },
        { id: "b", source: "say", target: "end" },
      ],
    });
    const id = (await createWorkflow(member, { name: "Versions", graph: graphSaying("one") })).id;
    await publishWorkflow(member, id);
    const runOnce = async (version?: number) => {
      const result = await client.runSync(id, { inputs: {}, timeoutMs: 20_000, ...(version ? { version } : {}) });
      if (!WeftClient.isFinished(result)) throw new Error("the run did not finish");
      return result;
    };
    expect(await runOnce()).toMatchObject({ status: "succeeded", version: 1, output: { said: "one" } });

    // A published version never changes, so the process keeps its parsed graph and later reads of
    // the same version leave the graph out: a row changed behind the app's back (as no service
    // does) is not seen by the next run, whose frozen graph is still v1's.
    const v1 = await db().workflowVersion.findFirstOrThrow({ where: { workflowId: id, version: 1 } });
    await db().workflowVersion.update({ where: { id: v1.id }, data: { graph: graphSaying("tampered") } });
    const again = await runOnce();
    expect(again).toMatchObject({ status: "succeeded", version: 1 });
    const frozen = await db().run.findUniqueOrThrow({ where: { id: again.id }, select: { graph: true } });
    expect(JSON.stringify(frozen.graph)).toContain('"one"');
    expect(JSON.stringify(frozen.graph)).not.toContain("tampered");

    // A new publish is a new version: the very next call runs it; pinning still runs the old one.
    await saveGraph(member, id, { graph: graphSaying("two"), revision: (await getWorkflow(member, id)).revision });
    await publishWorkflow(member, id);
    expect(await runOnce()).toMatchObject({ status: "succeeded", version: 2, output: { said: "two" } });
    expect(await runOnce(1)).toMatchObject({ status: "succeeded", version: 1 });
    expect(await runOnce()).toMatchObject({ version: 2, output: { said: "two" } });
  });
});
