import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { startRun } from "@/lib/runs/service";
import { createWorkflow } from "@/lib/workflows/service";
import { publishWorkflow } from "@/lib/workflows/versions";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../fixtures/otlp-receiver";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Issue 10 point 8: a real worker with OTEL_EXPORTER_OTLP_ENDPOINT set exports each finished run
 * as a trace (run span, one child span per step, GenAI attributes on model calls) to an OTLP/HTTP
 * receiver; without it nothing is sent.
 */

const OTLP_TOKEN = "otlp-canary-token-5d1c";

let receiver: OtlpReceiver;
let openai: OpenAiServer;
let member: Member;
let providerId: string;
let worker: WorkerProcess | undefined;

const graphOf = (nodes: Graph["nodes"]): Graph => ({
  version: 1,
  nodes,
  edges: nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: node.id })),
});

const llmAndTemplate = (): Graph =>
  graphOf([
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "question", label: "Question", type: "string", required: true, description: "" }] } },
    {
      id: "llm",
      type: "llm",
      position: { x: 300, y: 0 },
      data: { title: "Answer", providerId, model: "gpt-test", systemPrompt: "Be brief.", userPrompt: "{{ start.question }}", temperature: 0.2, outputFormat: "text", jsonSchema: "" },
    },
    { id: "shout", type: "template", position: { x: 600, y: 0 }, data: { title: "Shout", template: "{{ llm.text | upcase }}", format: "text" } },
    { id: "end", type: "end", position: { x: 900, y: 0 }, data: { outputs: [{ name: "answer", value: "{{ shout.text }}" }] } },
  ]);

const failingCode = (): Graph =>
  graphOf([
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
    { id: "boom", type: "code", position: { x: 300, y: 0 }, data: { inputs: [], code: "throw new Error('kaput');", outputs: [{ name: "n", type: "number" }] } },
    { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "n", value: "{{ boom.n }}" }] } },
  ]);

async function runWorkflow(name: string, graph: Graph, inputs: Record<string, unknown> = {}) {
  const workflow = await createWorkflow(member, { name, description: "", graph });
  const { runId } = await startRun(member, workflow.id, { inputs });
  return waitForRun(runId);
}

/** The run's spans once the run span and `steps` step spans have arrived. */
async function spansOf(runId: string, steps: number): Promise<{ run: ReceivedSpan; steps: ReceivedSpan[] }> {
  const mine = (spans: ReceivedSpan[]) => spans.filter((s) => s.attributes["weft.run.id"] === runId);
  const spans = mine(await receiver.waitForSpans((all) => mine(all).length >= steps + 1));
  const run = spans.find((s) => s.name.startsWith("run "))!;
  return { run, steps: spans.filter((s) => s !== run) };
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  openai = await startOpenAiServer({ apiKey: "sk-test-key-1234", models: ["gpt-test"] });
  member = await createTestMember();
  const provider = await createTestProvider(member.workspaceId, openai.url, { models: ["gpt-test"] });
  providerId = provider.id;
  await db().modelProvider.update({
    where: { id: provider.id },
    data: {
      preset: "openai",
      modelInfo: { "gpt-test": { inputPrice: 2, outputPrice: 8, currency: "USD", capabilities: { tools: true, json: true, vision: false, streaming: true } } },
    },
  });
  worker = await startWorkerProcess({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_HEADERS: `x-otlp-token=${OTLP_TOKEN}`,
    OTEL_SERVICE_NAME: "weft-otel-test",
    OTEL_BSP_SCHEDULE_DELAY: "100",
  });
});

afterAll(async () => {
  await worker?.stop();
  await openai?.close();
  await receiver?.close();
});

describe("OpenTelemetry export from a real worker", () => {
  it("exports a run span with one child span per step, GenAI attributes on the model call and the recorded times", async () => {
    openai.script({ text: "Paris.", usage: { prompt_tokens: 1000, completion_tokens: 250 }, model: "gpt-test-2026" });
    const run = await runWorkflow("Traced assistant", llmAndTemplate(), { question: "Capital of France?" });
    expect(run.status).toBe("succeeded");
    const { run: runSpan, steps } = await spansOf(run.id, run.steps.length);

    // The trace id is the run id (deterministic), the run span is the root, every step hangs under it.
    expect(runSpan.traceId).toBe(run.id.replace(/-/g, ""));
    expect(runSpan.parentSpanId).toBeUndefined();
    expect(runSpan.name).toBe("run Traced assistant");
    expect(steps.map((s) => s.attributes["weft.step.node_id"]).sort()).toEqual(run.steps.map((s) => s.nodeId).sort());
    for (const step of steps) {
      expect(step.traceId).toBe(runSpan.traceId);
      expect(step.parentSpanId).toBe(runSpan.spanId);
    }
    expect(runSpan.statusCode).toBe(0);
    expect(runSpan.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_workflow",
      "weft.run.id": run.id,
      "weft.workspace.id": member.workspaceId,
      "weft.workflow.id": run.workflowId,
      "weft.workflow.name": "Traced assistant",
      "weft.workflow.version": "draft",
      "weft.run.status": "succeeded",
      "weft.run.trigger": "editor",
      "weft.usage.input_tokens": 1000,
      "weft.usage.output_tokens": 250,
      "weft.usage.total_tokens": 1250,
      "weft.cost.usd": 0.004,
      "gen_ai.usage.cost": 0.004,
    });
    expect(runSpan.resource["service.name"]).toBe("weft-otel-test");

    const llm = steps.find((s) => s.attributes["weft.step.node_id"] === "llm")!;
    expect(llm.name).toBe("chat gpt-test");
    expect(llm.kind).toBe(3); // CLIENT
    expect(llm.attributes).toMatchObject({
      "weft.step.kind": "llm",
      "weft.step.title": "Answer",
      "weft.step.status": "succeeded",
      "weft.step.attempt": 1,
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.system": "openai",
      "gen_ai.request.model": "gpt-test",
      "gen_ai.response.model": "gpt-test-2026",
      "gen_ai.usage.input_tokens": 1000,
      "gen_ai.usage.output_tokens": 250,
      "gen_ai.request.temperature": 0.2,
      "weft.cost.usd": 0.004,
    });
    const template = steps.find((s) => s.attributes["weft.step.node_id"] === "shout")!;
    expect(template.name).toBe("template Shout");
    expect(template.attributes).toMatchObject({ "weft.step.kind": "template", "weft.step.status": "succeeded" });
    expect(template.attributes["gen_ai.operation.name"]).toBeUndefined();

    // Times come from the recorded rows, not from the exporting process's clock.
    expect(runSpan.startMs).toBe(run.startedAt!.getTime());
    expect(runSpan.endMs).toBe(run.finishedAt!.getTime());
    for (const row of run.steps) {
      const span = steps.find((s) => s.attributes["weft.step.node_id"] === row.nodeId)!;
      expect(span.startMs).toBe(row.startedAt.getTime());
      expect(span.endMs).toBe(row.finishedAt!.getTime());
    }

    // OTLP/HTTP JSON with the configured headers; the header's value never reaches the log.
    const request = receiver.requests().find((r) => r.path === "/v1/traces")!;
    expect(request.contentType).toBe("application/json");
    expect(request.headers["x-otlp-token"]).toBe(OTLP_TOKEN);
    expect(worker!.output()).toContain("OpenTelemetry: finished runs are exported as traces");
    expect(worker!.output()).not.toContain(OTLP_TOKEN);
  });

  it("exports a parked parent once, when it finishes, with its sub-workflow's run inside the same trace", async () => {
    const child = await createWorkflow(member, {
      name: "Traced child",
      description: "",
      graph: graphOf([
        { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
        { id: "hello", type: "template", position: { x: 300, y: 0 }, data: { template: "hello", format: "text" } },
        { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "said", value: "{{ hello.text }}" }] } },
      ]),
    });
    await publishWorkflow(member, child.id);
    const parent = await runWorkflow(
      "Traced parent",
      graphOf([
        { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
        { id: "sub", type: "subworkflow", position: { x: 300, y: 0 }, data: { workflowId: child.id, inputs: [] } },
        { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "said", value: "{{ sub.output.said }}" }] } },
      ]),
    );
    expect(parent.status).toBe("succeeded");
    const childRun = await db().run.findFirstOrThrow({ where: { parentRunId: parent.id }, include: { steps: true } });
    const traced = await spansOf(parent.id, parent.steps.length);
    const inner = await spansOf(childRun.id, childRun.steps.length);
    const sub = traced.steps.find((s) => s.attributes["weft.step.node_id"] === "sub")!;
    expect(inner.run.traceId).toBe(traced.run.traceId);
    expect(inner.run.parentSpanId).toBe(sub.spanId);
    expect(inner.run.attributes).toMatchObject({ "weft.run.trigger": "subworkflow", "weft.run.parent_id": parent.id, "weft.workflow.version": 1 });
    // The parent parked on the child's wait and resumed: still one run span, sent when it finished.
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.spans().filter((s) => s.spanId === traced.run.spanId)).toHaveLength(1);
    // The waiting step spans its child's run (from its first execution, which created the child, not from its resume).
    expect(sub.attributes).toMatchObject({ "weft.wait.kind": "subworkflow", "weft.wait.status": "answered" });
    expect(sub.startMs).toBe(childRun.createdAt.getTime());
    expect(sub.startMs).toBeLessThanOrEqual(inner.run.startMs);
    expect(sub.endMs).toBeGreaterThanOrEqual(inner.run.endMs);
  });

  it("marks a failed run's span and its failed step's span as errors", async () => {
    const run = await runWorkflow("Traced failure", failingCode());
    expect(run.status).toBe("failed");
    const { run: runSpan, steps } = await spansOf(run.id, run.steps.length);
    expect(runSpan.statusCode).toBe(2); // ERROR
    expect(runSpan.attributes).toMatchObject({ "weft.run.status": "failed", "error.type": "code_error" });
    const boom = steps.find((s) => s.attributes["weft.step.node_id"] === "boom")!;
    expect(boom.parentSpanId).toBe(runSpan.spanId);
    expect(boom.statusCode).toBe(2);
    expect(boom.statusMessage).toContain("kaput");
    expect(boom.attributes).toMatchObject({ "weft.step.status": "failed", "error.type": "code_error" });
  });

  it("never fails a run when the backend refuses spans, and says so once in the log", async () => {
    receiver.answer(400);
    const from = worker!.output().length;
    const first = await runWorkflow("Refused trace 1", failingCode());
    const second = await runWorkflow("Refused trace 2", llmAndTemplate(), { question: "Still there?" });
    expect([first.status, second.status]).toEqual(["failed", "succeeded"]);
    const refused = () => receiver.requests().filter((r) => r.path === "/v1/traces").length;
    const before = refused();
    const third = await runWorkflow("Refused trace 3", failingCode());
    expect(third.status).toBe("failed");
    await receiver.waitForSpans(() => refused() > before);
    await new Promise((r) => setTimeout(r, 300));
    const log = worker!.output().slice(from);
    expect(log.split("OpenTelemetry export failed").length - 1).toBe(1);
    receiver.answer(200);
  });

  it("sends the spans it still holds when the worker stops (SIGTERM)", async () => {
    await worker!.stop();
    // A batch delay far longer than the test: only the shutdown flush can send these spans.
    worker = await startWorkerProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: "600000" });
    const run = await runWorkflow("Flushed on shutdown", failingCode());
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.spans().some((s) => s.attributes["weft.run.id"] === run.id)).toBe(false);
    expect(await worker.stop()).toBe(0);
    const { run: runSpan, steps } = await spansOf(run.id, run.steps.length);
    expect(runSpan.attributes["weft.run.status"]).toBe("failed");
    expect(steps).toHaveLength(run.steps.length);
  });

  it("sends nothing when no OTLP endpoint is configured", async () => {
    await worker!.stop();
    const before = receiver.requests().length;
    worker = await startWorkerProcess();
    openai.script({ text: "Rome.", usage: { prompt_tokens: 10, completion_tokens: 2 } });
    const run = await runWorkflow("Untraced assistant", llmAndTemplate(), { question: "Capital of Italy?" });
    expect(run.status).toBe("succeeded");
    // Longer than the first worker's batch delay many times over.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(receiver.requests().length).toBe(before);
    expect(receiver.spans().some((s) => s.attributes["weft.run.id"] === run.id)).toBe(false);
    expect(worker.output()).not.toContain("OpenTelemetry");
  });
});
