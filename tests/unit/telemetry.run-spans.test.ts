import { describe, expect, it } from "vitest";
import { EnvSchema } from "@/lib/env";
import type { AgentDetail, AgentToolCallRecord } from "@/lib/nodes/agent/trace";
import type { RunRecord } from "@/lib/telemetry/run-record";
import { runTrace } from "@/lib/telemetry/run-spans";
import { runSpanId, stepSpanId, traceIdFor } from "@/lib/telemetry/span-ids";
import { telemetryEnabled } from "@/lib/telemetry";

const at = (iso: string) => new Date(`2026-12-04T10:00:${iso}Z`);

function step(overrides: Partial<RunRecord["run"]["steps"][number]>): RunRecord["run"]["steps"][number] {
  return {
    nodeId: "n",
    nodeType: "template",
    iteration: 0,
    status: "succeeded",
    error: null,
    detail: null,
    branch: null,
    attempt: 1,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    cost: null,
    reusedFromStepId: null,
    startedAt: at("01.000"),
    finishedAt: at("02.000"),
    ...overrides,
  };
}

function record(overrides: Partial<RunRecord["run"]> = {}, rootRunId?: string): RunRecord {
  const run: RunRecord["run"] = {
    id: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
    workspaceId: "ws",
    workflowId: "wf",
    workflowName: "Flow",
    workflowVersionId: "v-id",
    workflowVersion: { version: 3 },
    graph: { version: 1, nodes: [{ id: "ask", type: "llm", data: { title: "Ask", providerId: "alias", model: "smart" } }], edges: [] },
    status: "succeeded",
    error: null,
    promptTokens: 10,
    completionTokens: 5,
    totalTokens: 15,
    cost: { USD: 0.01, EUR: 0.02 },
    sourceRunId: null,
    sourceKind: null,
    trigger: "editor",
    apiKeyId: null,
    parentRunId: null,
    parentNodeId: null,
    parentIteration: null,
    createdAt: at("00.000"),
    startedAt: at("00.500"),
    finishedAt: at("09.000"),
    steps: [],
    waits: [],
    childRuns: [],
    ...overrides,
  };
  return { run, providers: [{ id: "p1", kind: "openai_compatible", preset: "qwen" }], rootRunId: rootRunId ?? run.id };
}

describe("a finished run as spans", () => {
  it("derives ids from the run id: the same run always gives the same trace", () => {
    const first = runTrace(record({ steps: [step({ nodeId: "a" })] }));
    const second = runTrace(record({ steps: [step({ nodeId: "a" })] }));
    expect(first.run.traceId).toBe("6f1c2d3e4a5b4c6d8e9f0a1b2c3d4e5f");
    expect(first.run.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(second.run.spanId).toBe(first.run.spanId);
    expect(second.steps[0]!.spanId).toBe(first.steps[0]!.spanId);
    expect(stepSpanId("r", "a", 0)).not.toBe(stepSpanId("r", "a", 1));
    // Run ids that are not UUIDs still give a valid trace id.
    expect(traceIdFor("not-a-uuid")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("puts a sub-workflow's run in its top-level run's trace, under the parent's step", () => {
    const { run } = runTrace(record({ id: "child", parentRunId: "parent", parentNodeId: "sub", parentIteration: 2, trigger: "subworkflow" }, "root-run"));
    expect(run.traceId).toBe(traceIdFor("root-run"));
    expect(run.parentSpanId).toBe(stepSpanId("parent", "sub", 2));
    expect(run.attributes).toMatchObject({ "weft.run.trigger": "subworkflow", "weft.run.parent_id": "parent" });
  });

  it("links a resumed run to the run it came from", () => {
    const { run } = runTrace(record({ sourceRunId: "earlier", sourceKind: "resume", trigger: "resume" }));
    expect(run.links).toEqual([{ traceId: traceIdFor("earlier"), spanId: runSpanId("earlier"), attributes: { "weft.link.kind": "resume" } }]);
    expect(run.attributes["weft.run.trigger"]).toBe("resume");
  });

  it("records costs per currency (gen_ai.usage.cost only for a single currency) and the version", () => {
    const { run } = runTrace(record());
    expect(run.attributes).toMatchObject({ "weft.cost.usd": 0.01, "weft.cost.eur": 0.02, "weft.workflow.version": 3 });
    expect(run.attributes["gen_ai.usage.cost"]).toBeUndefined();
  });

  it("describes an alias model call with the alias as request model and the answering provider", () => {
    const ask = step({
      nodeId: "ask",
      nodeType: "llm",
      detail: { model: "qwen-max", providerId: "p1", finishReason: "stop", cost: { USD: 0.003 } },
      promptTokens: 7,
      completionTokens: 3,
      totalTokens: 10,
      cost: { USD: 0.003 },
    });
    const [span] = runTrace(record({ steps: [ask] })).steps;
    expect(span!.name).toBe("chat smart");
    expect(span!.kind).toBe("client");
    expect(span!.attributes).toMatchObject({
      "gen_ai.provider.name": "qwen",
      "gen_ai.request.model": "smart",
      "gen_ai.response.model": "qwen-max",
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 7,
      "gen_ai.usage.output_tokens": 3,
      "gen_ai.usage.cost": 0.003,
      "weft.model.alias": "smart",
      "weft.step.title": "Ask",
    });
  });

  it("ends a step still waiting when the run ended with the run, and marks failures and reused steps", () => {
    const waiting = step({ nodeId: "approve", nodeType: "approval", status: "waiting", finishedAt: null });
    const failed = step({ nodeId: "boom", nodeType: "code", status: "failed", error: { code: "code_error", message: "kaput" } });
    const reused = step({ nodeId: "old", reusedFromStepId: "s1" });
    const trace = runTrace(
      record({
        status: "failed",
        error: { code: "code_error", message: "kaput" },
        steps: [waiting, failed, reused],
        waits: [{ nodeId: "approve", iteration: 0, kind: "approval", status: "cancelled", createdAt: at("00.800") }],
      }),
    );
    // The wait began before the step's (re-opened) row: the span covers the wait.
    expect(trace.steps[0]!.startTime).toEqual(at("00.800"));
    expect(trace.steps[0]!.attributes).toMatchObject({ "weft.wait.kind": "approval", "weft.wait.status": "cancelled" });
    expect(trace.run.status).toEqual({ code: "error", message: "kaput" });
    expect(trace.steps[0]!.endTime).toEqual(at("09.000"));
    expect(trace.steps[1]!.status).toEqual({ code: "error", message: "kaput" });
    expect(trace.steps[1]!.attributes["error.type"]).toBe("code_error");
    expect(trace.steps[2]!.attributes["weft.step.reused"]).toBe(true);
    expect(trace.steps.every((s) => s.parentSpanId === trace.run.spanId)).toBe(true);
  });
});

describe("an Agent step's inside", () => {
  it("becomes one chat span per model turn and one execute_tool span per tool call that ran, under the step", () => {
    const turn = (iteration: number, startedAt: string, toolCalls: AgentToolCallRecord[]): AgentDetail["turns"][number] => ({
      iteration,
      model: "gpt-x",
      messagesIn: [],
      text: "",
      toolCalls,
      finishReason: toolCalls.length ? "tool_calls" : "stop",
      usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 },
      startedAt,
      durationMs: 100,
    });
    const detail: AgentDetail = {
      agent: true,
      model: "gpt-x",
      tools: [{ id: "t1", name: "lookup", kind: "http" }],
      maxIterations: 3,
      turns: [
        turn(1, "2026-12-04T10:00:01.000Z", [
          { id: "c1", callIndex: 0, name: "lookup", toolId: "t1", args: {}, status: "error", error: { code: "tool_error", message: "404" }, startedAt: "2026-12-04T10:00:01.200Z", durationMs: 50 },
          { id: "c2", callIndex: 1, name: "lookup", toolId: "t1", args: {}, status: "not_run" },
        ]),
        turn(2, "2026-12-04T10:00:02.000Z", []),
      ],
      stopReason: "answer",
      usage: { promptTokens: 10, completionTokens: 4, totalTokens: 14 },
      providerId: "p1",
    };
    // Stored as JSON in run_steps.detail.
    const stored = detail as unknown as RunRecord["run"]["steps"][number]["detail"];
    const agent = step({ nodeId: "agent", nodeType: "agent", detail: stored, promptTokens: 10, completionTokens: 4, totalTokens: 14 });
    const [span, first, tool, second] = runTrace(record({ steps: [agent] })).steps;
    expect(span!.name).toBe("invoke_agent agent");
    expect(span!.attributes).toMatchObject({ "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "agent", "gen_ai.provider.name": "qwen" });
    expect([first, tool, second].map((s) => s!.parentSpanId)).toEqual([span!.spanId, span!.spanId, span!.spanId]);
    expect(first).toMatchObject({ name: "chat gpt-x", kind: "client", startTime: new Date("2026-12-04T10:00:01.000Z"), endTime: new Date("2026-12-04T10:00:01.100Z") });
    expect(first!.attributes).toMatchObject({ "gen_ai.usage.input_tokens": 5, "gen_ai.response.finish_reasons": ["tool_calls"], "gen_ai.provider.name": "qwen" });
    expect(tool).toMatchObject({ name: "execute_tool lookup", status: { code: "error", message: "404" } });
    expect(tool!.attributes).toMatchObject({ "gen_ai.tool.name": "lookup", "gen_ai.tool.call.id": "c1", "error.type": "tool_error" });
    expect(second!.name).toBe("chat gpt-x");
    expect(new Set([span, first, tool, second].map((s) => s!.spanId)).size).toBe(4);
  });
});

describe("OpenTelemetry settings", () => {
  const base = { WEFT_SECRET_KEYS: "k:x", BETTER_AUTH_SECRET: "0123456789abcdef0123" };

  it("is off by default and on with either endpoint (blank counts as unset)", () => {
    expect(telemetryEnabled(EnvSchema.parse(base))).toBe(false);
    expect(telemetryEnabled(EnvSchema.parse({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: " " }))).toBe(false);
    expect(telemetryEnabled(EnvSchema.parse({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }))).toBe(true);
    expect(telemetryEnabled(EnvSchema.parse({ ...base, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://x.example/v1/traces" }))).toBe(true);
  });

  it("refuses a malformed endpoint or header list without echoing the headers", () => {
    expect(EnvSchema.safeParse({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }).success).toBe(false);
    expect(EnvSchema.safeParse({ ...base, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "ftp://x/v1/traces" }).success).toBe(false);
    const headers = EnvSchema.safeParse({ ...base, OTEL_EXPORTER_OTLP_HEADERS: "secret-token-value" });
    expect(headers.success).toBe(false);
    expect(JSON.stringify(headers.error?.issues)).not.toContain("secret-token-value");
    expect(EnvSchema.parse({ ...base, OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=abc%3D,x-team=ops" }).OTEL_EXPORTER_OTLP_HEADERS).toBe("x-api-key=abc%3D,x-team=ops");
    expect(EnvSchema.safeParse({ ...base, OTEL_BSP_SCHEDULE_DELAY: "0" }).success).toBe(false);
  });
});
