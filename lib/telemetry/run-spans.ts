import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_WORKFLOW_NAME,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
} from "@opentelemetry/semantic-conventions/incubating";
import { ALIAS_PROVIDER_ID } from "@/lib/models/model-ref";
import type { RunRecord, RunRecordRow, StepRecordRow } from "./run-record";
import { providerIdOf } from "./run-record";
import { agentSpans } from "./agent-spans";
import { runSpanId, stepSpanId, traceIdFor } from "./span-ids";
import { asRecord, clean, costAttributes, errorAttributes, errorInfo, later, type SpanPlan } from "./span-plan";

/**
 * A finished run as spans, built from its recorded rows alone (pure: no SDK, no I/O): one span
 * for the run, one child span per step, with explicit start and end times and ids derived from
 * the run id (span-ids.ts).
 */

export interface RunTrace {
  run: SpanPlan;
  /** One per step, each followed by its own children (an Agent's turns and tool calls). */
  steps: SpanPlan[];
}

/** Node types that run an agent loop (GenAI invoke_agent; their turns and tool calls become child spans). */
const AGENT_TYPES = new Set(["agent"]);

export function runTrace({ run, providers, rootRunId }: RunRecord): RunTrace {
  const nodes = graphNodes(run.graph);
  const providerNames = new Map(providers.map((p) => [p.id, providerName(p)]));
  const runEnd = run.finishedAt ?? new Date();
  const runStart = run.startedAt ?? run.createdAt;
  const traceId = traceIdFor(rootRunId);
  const spanId = runSpanId(run.id);
  const error = errorInfo(run.error);

  const runPlan: SpanPlan = {
    name: `run ${run.workflowName}`,
    traceId,
    spanId,
    parentSpanId: run.parentRunId && run.parentNodeId ? stepSpanId(run.parentRunId, run.parentNodeId, run.parentIteration ?? 0) : undefined,
    kind: "internal",
    links: run.sourceRunId ? [{ traceId: traceIdFor(run.sourceRunId), spanId: runSpanId(run.sourceRunId), attributes: { "weft.link.kind": run.sourceKind ?? "source" } }] : [],
    startTime: runStart,
    endTime: later(runEnd, runStart),
    attributes: clean({
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
      [ATTR_GEN_AI_WORKFLOW_NAME]: run.workflowName,
      "weft.run.id": run.id,
      "weft.workspace.id": run.workspaceId,
      "weft.workflow.id": run.workflowId ?? undefined,
      "weft.workflow.name": run.workflowName,
      "weft.workflow.version": run.workflowVersion?.version ?? "draft",
      "weft.workflow.version_id": run.workflowVersionId ?? undefined,
      "weft.run.status": run.status,
      "weft.run.trigger": runTrigger(run),
      "weft.run.api_key_id": run.apiKeyId ?? undefined,
      "weft.run.parent_id": run.parentRunId ?? undefined,
      "weft.run.source_id": run.sourceRunId ?? undefined,
      "weft.run.created_at": run.createdAt.toISOString(),
      "weft.usage.input_tokens": run.promptTokens,
      "weft.usage.output_tokens": run.completionTokens,
      "weft.usage.total_tokens": run.totalTokens,
      ...costAttributes(run.cost),
      ...(run.status === "failed" ? errorAttributes(error) : {}),
    }),
    status: run.status === "failed" ? { code: "error", message: error?.message } : { code: "unset" },
  };

  const waits = new Map(run.waits.map((wait) => [`${wait.nodeId}:${wait.iteration}`, wait]));
  const waitStarts = waitStartTimes(run);
  const steps = run.steps.flatMap((step) => {
    const key = `${step.nodeId}:${step.iteration}`;
    const plan = stepPlan(step, { run, traceId, parentSpanId: spanId, runEnd, nodes, providerNames, wait: waits.get(key), waitStart: waitStarts.get(key) });
    if (!AGENT_TYPES.has(step.nodeType)) return [plan];
    const provider = plan.attributes[ATTR_GEN_AI_PROVIDER_NAME];
    return [plan, ...agentSpans(step.detail, { runId: run.id, nodeId: step.nodeId, iteration: step.iteration, traceId, spanId: plan.spanId }, typeof provider === "string" ? provider : undefined)];
  });
  return { run: runPlan, steps };
}

interface StepContext {
  run: RunRecordRow;
  traceId: string;
  parentSpanId: string;
  runEnd: Date;
  nodes: Map<string, GraphNodeInfo>;
  providerNames: Map<string, string>;
  wait: RunRecordRow["waits"][number] | undefined;
  /** When a step that waited began waiting (see waitStartTimes). */
  waitStart: Date | undefined;
}

/**
 * A step that waited is re-opened when it resumes, so its row's startedAt is the resume. The
 * earliest trace of its first execution is its wait's creation or, for a sub-workflow step, its
 * child run's creation (the child is started before the wait is recorded).
 */
function waitStartTimes(run: RunRecordRow): Map<string, Date> {
  const starts = new Map<string, Date>();
  const note = (key: string, at: Date) => {
    const known = starts.get(key);
    if (!known || at < known) starts.set(key, at);
  };
  for (const wait of run.waits) note(`${wait.nodeId}:${wait.iteration}`, wait.createdAt);
  for (const child of run.childRuns) if (child.parentNodeId) note(`${child.parentNodeId}:${child.parentIteration ?? 0}`, child.createdAt);
  return starts;
}

function stepPlan(step: StepRecordRow, ctx: StepContext): SpanPlan {
  const node = ctx.nodes.get(step.nodeId);
  const title = node?.title ?? step.nodeId;
  const error = errorInfo(step.error);
  const model = modelCall(step, node, ctx.providerNames);
  // A step that waited (approval, question, sub-workflow) spans the wait: from its first execution, not its resume.
  const startTime = ctx.waitStart && ctx.waitStart < step.startedAt ? ctx.waitStart : step.startedAt;
  return {
    name: model?.spanName ?? `${step.nodeType} ${title}`,
    traceId: ctx.traceId,
    spanId: stepSpanId(ctx.run.id, step.nodeId, step.iteration),
    parentSpanId: ctx.parentSpanId,
    kind: model?.kind ?? "internal",
    links: [],
    startTime,
    // A step still waiting when its run ended (another branch failed) ends with the run.
    endTime: later(step.finishedAt ?? ctx.runEnd, startTime),
    attributes: clean({
      "weft.run.id": ctx.run.id,
      "weft.step.node_id": step.nodeId,
      "weft.step.kind": step.nodeType,
      "weft.step.title": title,
      "weft.step.status": step.status,
      "weft.step.attempt": step.attempt,
      "weft.step.iteration": step.iteration,
      "weft.step.branch": step.branch ?? undefined,
      // Copied from an earlier run by resume or re-run: shown with its original times, paid by that run.
      "weft.step.reused": step.reusedFromStepId ? true : undefined,
      "weft.wait.kind": ctx.wait?.kind,
      "weft.wait.status": ctx.wait?.status,
      ...model?.attributes,
      ...(error ? errorAttributes(error) : {}),
    }),
    status: step.status === "failed" ? { code: "error", message: error?.message } : { code: "unset" },
  };
}

/** GenAI semantic-convention attributes of a step that called a model (its detail names the model). */
function modelCall(step: StepRecordRow, node: GraphNodeInfo | undefined, providerNames: Map<string, string>) {
  const detail = asRecord(step.detail);
  const responseModel = typeof detail?.model === "string" ? detail.model : undefined;
  if (!responseModel) return undefined;
  const agent = AGENT_TYPES.has(step.nodeType);
  const operation = agent ? GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT : GEN_AI_OPERATION_NAME_VALUE_CHAT;
  const configured = typeof node?.data.model === "string" ? node.data.model : responseModel;
  const configuredProvider = typeof node?.data.providerId === "string" && node.data.providerId !== ALIAS_PROVIDER_ID ? node.data.providerId : undefined;
  const provider = providerNames.get(providerIdOf(step.detail) ?? configuredProvider ?? "");
  const finishReason = typeof detail?.finishReason === "string" ? detail.finishReason : undefined;
  return {
    // An agent runs in-process (its model calls and tools are inside the step); a chat step is one remote inference.
    kind: agent ? ("internal" as const) : ("client" as const),
    spanName: agent ? `${operation} ${node?.title ?? step.nodeId}` : `${operation} ${configured}`,
    attributes: clean({
      [ATTR_GEN_AI_OPERATION_NAME]: operation,
      [ATTR_GEN_AI_PROVIDER_NAME]: provider,
      // The older name of the same attribute, still what many backends read.
      [ATTR_GEN_AI_SYSTEM]: provider,
      [ATTR_GEN_AI_REQUEST_MODEL]: configured,
      [ATTR_GEN_AI_RESPONSE_MODEL]: responseModel,
      [ATTR_GEN_AI_AGENT_NAME]: agent ? (node?.title ?? step.nodeId) : undefined,
      [ATTR_GEN_AI_REQUEST_TEMPERATURE]: typeof detail?.temperature === "number" ? detail.temperature : undefined,
      [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: finishReason ? [finishReason] : undefined,
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: step.promptTokens,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: step.completionTokens,
      "weft.usage.total_tokens": step.totalTokens,
      "weft.model.alias": node?.data.providerId === ALIAS_PROVIDER_ID ? configured : undefined,
      ...costAttributes(step.cost),
    }),
  };
}

/**
 * gen_ai.provider.name: the well-known value where the preset is one (openai, anthropic,
 * deepseek), else the preset's own name (qwen, doubao, vllm, ollama), else the wire protocol.
 */
function providerName(provider: { kind: string; preset: string }): string {
  if (provider.preset === "ollama_native" || provider.kind === "ollama") return "ollama";
  return provider.preset === "custom" ? provider.kind : provider.preset;
}

/**
 * How the run was started, from what the run row records: a sub-workflow step, a resume or
 * re-run of an earlier run, or directly (editor, run page or public API).
 */
/** What started the run as recorded on it (lib/runs/initiator.ts: editor, api, rerun, resume, subworkflow, tool). */
function runTrigger(run: RunRecordRow): string {
  return run.trigger;
}

interface GraphNodeInfo {
  title?: string;
  data: Record<string, unknown>;
}

/** The frozen graph's nodes by id (titles and model settings); tolerant of any shape. */
function graphNodes(graph: unknown): Map<string, GraphNodeInfo> {
  const nodes = asRecord(graph)?.nodes;
  const map = new Map<string, GraphNodeInfo>();
  if (!Array.isArray(nodes)) return map;
  for (const node of nodes) {
    const id = asRecord(node)?.id;
    const data = asRecord(asRecord(node)?.data) ?? {};
    const title = data.title ?? data.label;
    if (typeof id === "string") map.set(id, { title: typeof title === "string" && title.trim() ? title : undefined, data });
  }
  return map;
}

