import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { startRun } from "@/lib/runs/service";
import { createWorkflow } from "@/lib/workflows/service";
import { demoReply } from "../../scripts/lib/demo-answers";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * The offline demo model (scripts/demo-model.ts: the OpenAI-wire server answering with
 * scripts/lib/demo-answers.ts, nothing scripted) lets a Classifier and a Parameter extractor
 * succeed through the real LangChain client and a real worker.
 */
let demo: OpenAiServer;
let worker: WorkerProcess;
let member: Member;
let providerId: string;
const at = (x: number) => ({ x, y: 0 });

beforeAll(async () => {
  demo = await startOpenAiServer({ models: ["demo-echo"], reply: demoReply });
  member = await createTestMember("owner");
  providerId = (await createTestProvider(member.workspaceId, demo.url, { models: ["demo-echo"] })).id;
  worker = await startWorkerProcess();
});

afterAll(async () => {
  await worker?.stop();
  await demo?.close();
  await db().$disconnect();
});

async function run(graph: Graph, inputs: Record<string, unknown>) {
  const workflow = await createWorkflow(member, { name: `demo ${Math.random().toString(36).slice(2, 8)}`, graph });
  const { runId } = await startRun(member, workflow.id, { inputs });
  return waitForRun(runId, 60_000);
}

const start = { id: "start", type: "start", position: at(0), data: { inputs: [{ name: "message", label: "", type: "string", required: true, description: "" }] } };

describe("the demo model answers structured-output nodes offline", () => {
  it("Classifier: picks the class sharing words with the text and takes its branch", async () => {
    const graph: Graph = {
      version: 1,
      nodes: [
        start,
        {
          id: "cls",
          type: "classifier",
          position: at(300),
          data: {
            providerId,
            model: "demo-echo",
            input: "{{ start.message }}",
            classes: [
              { id: "class_billing", name: "Billing", description: "invoices, refunds and payments" },
              { id: "class_bug", name: "Bug", description: "the app crashes or shows an error" },
            ],
          },
        },
        { id: "to_billing", type: "template", position: at(600), data: { template: "billing team", format: "text" } },
        { id: "to_bugs", type: "template", position: at(600), data: { template: "engineering", format: "text" } },
        { id: "pick", type: "aggregate", position: at(750), data: { variables: ["to_billing.text", "to_bugs.text"] } },
        { id: "end", type: "end", position: at(900), data: { outputs: [{ name: "route", value: "{{ pick.value }}" }, { name: "class", value: "{{ cls.class }}" }] } },
      ],
      edges: [
        { id: "a", source: "start", target: "cls" },
        { id: "b", source: "cls", sourceHandle: "class_billing", target: "to_billing" },
        { id: "c", source: "cls", sourceHandle: "class_bug", target: "to_bugs" },
        { id: "d", source: "to_billing", target: "pick" },
        { id: "e", source: "to_bugs", target: "pick" },
        { id: "f", source: "pick", target: "end" },
      ],
    };
    const finished = await run(graph, { message: "The app crashes with an error when I open settings" });
    expect(finished.status, JSON.stringify(finished.error)).toBe("succeeded");
    expect(finished.output).toEqual({ route: "engineering", class: "class_bug" });
    const refund = await run(graph, { message: "I want a refund for my last invoices" });
    expect(refund.output).toEqual({ route: "billing team", class: "class_billing" });
  });

  it("Parameter extractor: fills the fields from the text through the forced tool call", async () => {
    const graph: Graph = {
      version: 1,
      nodes: [
        start,
        {
          id: "ext",
          type: "extractor",
          position: at(300),
          data: {
            providerId,
            model: "demo-echo",
            input: "{{ start.message }}",
            fields: [
              { name: "order_id", type: "string", required: true, description: "" },
              { name: "amount", type: "number", required: false, description: "" },
              { name: "email", type: "string", required: false, description: "" },
            ],
          },
        },
        { id: "end", type: "end", position: at(600), data: { outputs: [{ name: "order", value: "{{ ext.order_id }}" }, { name: "amount", value: "{{ ext.amount }}" }, { name: "missing", value: "{{ ext.missing }}" }] } },
      ],
      edges: [
        { id: "a", source: "start", target: "ext" },
        { id: "b", source: "ext", target: "end" },
      ],
    };
    const finished = await run(graph, { message: "Order id: A-17, amount: 12.50 EUR" });
    expect(finished.status, JSON.stringify(finished.error)).toBe("succeeded");
    expect(finished.output).toEqual({ order: "A-17", amount: 12.5, missing: [] });
  });
});
