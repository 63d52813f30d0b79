import { z } from "zod";
import type { Graph, GraphEdge, GraphNode } from "@/lib/engine/graph";
import { defineNode, type NodeExecutor } from "@/lib/engine/node-kit";
import type { NodeRegistry } from "@/lib/engine/validate";
import { nodeRegistry } from "@/lib/nodes/registry";
import type { ChatRequest, EngineServices } from "@/lib/engine/ports";
import { executeRun, type RunOptions } from "@/lib/engine/run-engine";
import type { RunEvent, RunEventSink, StepBegin, StepFailure, StepRecord, StepStore, StepSuccess, StepWait, StepWaitState } from "@/lib/engine/run-ports";
import { executeCondition } from "@/lib/nodes/condition/execute";
import { executeEnd } from "@/lib/nodes/end/execute";
import type { LlmConfig } from "@/lib/nodes/llm/definition";
import { executeStart } from "@/lib/nodes/start/execute";
import { executeTemplate } from "@/lib/nodes/template/execute";

/** Small builders for graphs and in-memory ports used by the engine's unit tests. */

let x = 0;
export function node(id: string, type: string, data: Record<string, unknown>): GraphNode {
  x += 100;
  return { id, type, position: { x, y: 0 }, data };
}

export function edge(source: string, target: string, sourceHandle?: string): GraphEdge {
  return { id: `${source}-${sourceHandle ?? "out"}-${target}`, source, target, ...(sourceHandle ? { sourceHandle } : {}) };
}

export const graph = (nodes: GraphNode[], edges: GraphEdge[]): Graph => ({ version: 1, nodes, edges });

type InputSpec = { name: string; type: "string" | "number" | "boolean" | "object" | "array"; required?: boolean };
export const start = (id: string, inputs: InputSpec[] = [{ name: "question", type: "string" }]) =>
  node(id, "start", { inputs: inputs.map((i) => ({ label: "", description: "", required: true, ...i })) });
export const llm = (id: string, userPrompt: string, extra: Record<string, unknown> = {}) =>
  node(id, "llm", { providerId: "prov_1", model: "test-model", userPrompt, ...extra });
export const template = (id: string, text: string, format: "text" | "json" = "text") => node(id, "template", { template: text, format });
export const end = (id: string, outputs: Record<string, string>) =>
  node(id, "end", { outputs: Object.entries(outputs).map(([name, value]) => ({ name, value })) });
export const condition = (id: string, cases: { id: string; logic?: "and" | "or"; rules: { left: string; operator: string; right?: string }[] }[]) =>
  node(id, "condition", { cases: cases.map((c) => ({ logic: "and", ...c, rules: c.rules.map((r) => ({ right: "", ...r })) })) });

/** A linear start → llm → end workflow. */
export function linearGraph(): Graph {
  return graph(
    [start("start"), llm("llm_1", "Answer: {{ start.question }}"), end("end", { answer: "{{ llm_1.text }}" })],
    [edge("start", "llm_1"), edge("llm_1", "end")],
  );
}

export class MemoryStepStore implements StepStore {
  readonly steps = new Map<string, StepRecord>();
  readonly calls: string[] = [];
  readonly successes: StepSuccess[] = [];
  readonly failures: StepFailure[] = [];
  readonly waitsRecorded: StepWait[] = [];
  /** The wait of each waiting step, by `${nodeId}:${iteration}` (what run_waits holds). */
  readonly waits = new Map<string, StepWaitState>();
  failOnComplete?: string;

  constructor(seed: StepRecord[] = []) {
    for (const s of seed) this.steps.set(`${s.nodeId}:${s.iteration}`, { ...s });
  }
  async loadSteps(): Promise<StepRecord[]> {
    return [...this.steps.values()].map((s) => {
      const wait = s.status === "waiting" ? this.waits.get(`${s.nodeId}:${s.iteration}`) : undefined;
      return { ...s, ...(wait ? { wait: { ...wait } } : {}) };
    });
  }
  async waitStep(step: StepWait): Promise<void> {
    this.calls.push(`wait:${step.nodeId}`);
    this.waitsRecorded.push(step);
    const key = `${step.nodeId}:${step.iteration}`;
    const prev = this.steps.get(key)!;
    this.steps.set(key, { ...prev, status: "waiting" });
    this.waits.set(key, { status: "pending" });
  }
  /** What resolveWait does to run_waits. */
  resolveWait(nodeId: string, resolution: Exclude<StepWaitState, { status: "pending" }>, iteration = 0): void {
    this.waits.set(`${nodeId}:${iteration}`, resolution);
  }
  async beginStep(step: StepBegin): Promise<{ attempt: number }> {
    this.calls.push(`begin:${step.nodeId}`);
    const key = `${step.nodeId}:${step.iteration}`;
    const attempt = (this.steps.get(key)?.attempt ?? 0) + 1;
    this.steps.set(key, { ...step, status: "running", attempt });
    return { attempt };
  }
  async completeStep(step: StepSuccess): Promise<void> {
    if (this.failOnComplete === step.nodeId) throw new Error("database unavailable");
    this.calls.push(`complete:${step.nodeId}`);
    this.successes.push(step);
    const key = `${step.nodeId}:${step.iteration}`;
    const prev = this.steps.get(key)!;
    this.steps.set(key, { ...prev, status: "succeeded", output: step.output, branch: step.branch ?? null });
  }
  async failStep(step: StepFailure): Promise<void> {
    this.calls.push(`fail:${step.nodeId}`);
    this.failures.push(step);
    const key = `${step.nodeId}:${step.iteration}`;
    const prev = this.steps.get(key)!;
    this.steps.set(key, { ...prev, status: "failed", error: step.error });
  }
  async skipStep(step: StepBegin): Promise<void> {
    this.calls.push(`skip:${step.nodeId}`);
    this.steps.set(`${step.nodeId}:${step.iteration}`, { ...step, status: "skipped", attempt: 0 });
  }
  status(nodeId: string): string | undefined {
    return this.steps.get(`${nodeId}:0`)?.status;
  }
}

export class MemoryEvents implements RunEventSink {
  readonly events: RunEvent[] = [];
  publish(event: RunEvent): void {
    this.events.push(event);
  }
  steps(): string[] {
    return this.events.flatMap((e) => (e.type === "step" ? [`${e.nodeId}:${e.status}`] : []));
  }
}

/** A fake model: answers with a function of the prompt and reports fixed usage. */
export function fakeServices(answer: (request: ChatRequest) => string | Promise<string> = (r) => `echo ${r.messages.at(-1)?.content}`) {
  const requests: ChatRequest[] = [];
  const services: EngineServices = {
    chat: async (request) => {
      requests.push(request);
      const text = await answer(request);
      request.onToken?.(text);
      return { text, usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 }, model: request.model };
    },
  };
  return { services, requests };
}

/** A stand-in LLM executor for engine tests (the real one is tested on its own). */
export const fakeLlm: NodeExecutor<LlmConfig> = async (ctx) => {
  const prompt = await ctx.render(ctx.config.userPrompt);
  const response = await ctx.services.chat({
    providerId: ctx.config.providerId,
    model: ctx.config.model,
    messages: [{ role: "user", content: prompt }],
    signal: ctx.signal,
    onToken: ctx.emitDelta,
  });
  return { output: { text: response.text, usage: response.usage }, usage: response.usage, input: { prompt } };
};

function erase<C>(executor: NodeExecutor<C>): NodeExecutor<unknown> {
  return (ctx) => executor(ctx as Parameters<NodeExecutor<C>>[0]);
}

export function testExecutors(overrides: Record<string, NodeExecutor<unknown>> = {}): Record<string, NodeExecutor<unknown>> {
  return {
    start: erase(executeStart),
    llm: erase(fakeLlm),
    condition: erase(executeCondition),
    template: erase(executeTemplate),
    end: erase(executeEnd),
    ...overrides,
  };
}

/** A test node type that waits for a person ("gate"); its executor is supplied by each test. */
export const gateNode = defineNode({
  type: "gate",
  label: "Gate",
  description: "Test node that waits for a person.",
  category: "logic",
  color: "#000000",
  configSchema: z.object({ prompt: z.string().default("") }),
  defaultConfig: () => ({ prompt: "" }),
  hasInput: true,
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: () => [
    { name: "decision", type: "string" as const },
    { name: "status", type: "string" as const },
  ],
  templates: (config) => [config.prompt],
});

/** The real node registry plus the gate. */
export const registryWithGate: NodeRegistry = { ...nodeRegistry, gate: gateNode };

/** One engine run over in-memory ports with the test executors; `run()` executes it. */
export function setupRun(g: Graph, overrides: Partial<RunOptions> = {}, seed: StepRecord[] = []) {
  const store = new MemoryStepStore(seed);
  const events = new MemoryEvents();
  const fake = fakeServices();
  const options: RunOptions = {
    runId: "run_1",
    graph: g,
    inputs: { question: "why?" },
    registry: nodeRegistry,
    executors: testExecutors(),
    store,
    events,
    services: fake.services,
    signal: new AbortController().signal,
    now: () => new Date("2026-01-01T00:00:00Z"),
    ...overrides,
  };
  return { store, events, requests: fake.requests, run: () => executeRun(options) };
}
