import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { ALIAS_PROVIDER_ID } from "@/lib/models/model-ref";
import { createModelAlias } from "@/lib/providers/aliases";
import { startRun } from "@/lib/runs/service";
import { createWorkflow } from "@/lib/workflows/service";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/** Through a real worker: an LLM step on a model alias falls back, and the step and run record the cost. */

let busy: OpenAiServer;
let backup: OpenAiServer;
let worker: WorkerProcess;
let member: Member;

beforeAll(async () => {
  busy = await startOpenAiServer({ apiKey: "sk-test-key-1234" });
  backup = await startOpenAiServer({ apiKey: "sk-test-key-1234" });
  worker = await startWorkerProcess();
  member = await createTestMember();
  const first = await createTestProvider(member.workspaceId, busy.url, { models: ["big-model"] });
  const second = await createTestProvider(member.workspaceId, backup.url, { models: ["small-model"] });
  await db().modelProvider.update({
    where: { id: second.id },
    data: { modelInfo: { "small-model": { inputPrice: 2, outputPrice: 8, currency: "USD", capabilities: { tools: true, json: true, vision: false, streaming: true } } } },
  });
  await createModelAlias(member, { name: "smart", targets: [{ providerId: first.id, model: "big-model" }, { providerId: second.id, model: "small-model" }] });
});

afterAll(async () => {
  await worker?.stop();
  await busy?.close();
  await backup?.close();
});

describe("model alias and cost in a worker run", () => {
  it("falls back from a rate-limited model, records the answerer and the attempts, and sums the run's cost", async () => {
    const example = exampleWorkflows({ providerId: ALIAS_PROVIDER_ID, model: "smart" })[0]!;
    const workflow = await createWorkflow(member, { name: example.name, description: example.description, graph: example.graph });
    busy.script({ error: { status: 429, message: "Rate limit reached" } });
    backup.script({ text: "Paris.", usage: { prompt_tokens: 1000, completion_tokens: 250 } });

    const { runId } = await startRun(member, workflow.id, { inputs: { question: "Capital of France?" } });
    const run = await waitForRun(runId);
    expect(run.status).toBe("succeeded");
    const llm = run.steps.find((s) => s.nodeId === "llm")!;
    const detail = llm.detail as { model: string; providerId: string; alias: string; attempts: { model: string; ok: boolean }[]; cost: unknown };
    expect(detail).toMatchObject({ model: "small-model", alias: "smart", cost: { USD: 0.004 } });
    expect(detail.attempts.map((a) => [a.model, a.ok])).toEqual([
      ["big-model", false],
      ["small-model", true],
    ]);
    // 1000 × 2 / 1e6 + 250 × 8 / 1e6
    expect(llm.cost).toEqual({ USD: 0.004 });
    expect(run.cost).toEqual({ USD: 0.004 });
    expect(run.totalTokens).toBe(1250);
  });

  it("refuses to start a run naming an alias the workspace does not have", async () => {
    const example = exampleWorkflows({ providerId: ALIAS_PROVIDER_ID, model: "missing" })[0]!;
    const workflow = await createWorkflow(member, { name: "Missing alias", description: "", graph: example.graph });
    const error = await startRun(member, workflow.id, { inputs: { question: "?" } }).catch((e: unknown) => e);
    expect(JSON.stringify(error)).toContain("unknown_model_alias");
  });
});
