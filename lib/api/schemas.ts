import { z } from "zod";
import { MAX_INT32 } from "@/lib/engine/limits";
import { ImportWorkflowSchema } from "@/lib/workflows/schemas";
import { ApprovalAnswerSchema, ApprovalRequestSchema } from "@/lib/nodes/approval/definition";
import { QuestionRequestSchema } from "@/lib/nodes/question/definition";
import { RUN_TRIGGERS, RunInitiatorSchema } from "@/lib/runs/initiator";
import { ListRunsQuerySchema } from "@/lib/runs/run-search";

/**
 * The public API's request and response shapes (v1). Routes validate with these, the typed client
 * infers its types from them, and lib/api/openapi.ts turns them into the OpenAPI document: one
 * source for all three. Every schema that becomes a named OpenAPI component is registered in
 * `apiSchemas` with its component id.
 */
export const apiSchemas = z.registry<{ id: string; description?: string }>();

const RUN_STATUSES = ["queued", "running", "waiting", "succeeded", "failed", "cancelled"] as const;
const STEP_STATUSES = ["running", "waiting", "succeeded", "failed", "skipped"] as const;
export const RUN_MODES = ["async", "sync", "stream"] as const;
/** The longest a sync request waits for its run before answering 202. */
export const MAX_SYNC_TIMEOUT_MS = 60_000;
export const DEFAULT_SYNC_TIMEOUT_MS = 30_000;

const IsoDate = z.string().meta({ format: "date-time" });

export const ApiIssueSchema = z
  .object({ path: z.string().describe("Dotted path of the offending field, empty for the whole body"), message: z.string() })
  .register(apiSchemas, { id: "ApiIssue" });

export const ApiErrorSchema = z
  .object({
    error: z.looseObject({
      code: z.string().describe("Stable machine-readable code, e.g. unauthorized, forbidden, not_found, invalid_request, invalid_input, invalid_graph, not_published"),
      message: z.string().describe("A human-readable explanation"),
      issues: z.array(ApiIssueSchema).optional().describe("Field-level problems of an invalid request body"),
      problems: z.array(z.looseObject({ message: z.string() })).optional().describe("Input or graph problems"),
    }),
  })
  .register(apiSchemas, { id: "ApiError", description: "Every 4xx/5xx answer has this shape." });

export const InputFieldSchema = z
  .object({
    name: z.string(),
    label: z.string(),
    type: z.enum(["string", "number", "boolean", "object", "array"]),
    required: z.boolean(),
    description: z.string(),
  })
  .register(apiSchemas, { id: "InputField" });

export const PublishedWorkflowSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string().describe("Unique in the workspace: the `model` of the OpenAI-compatible endpoint and the MCP tool name"),
    description: z.string(),
    latestVersion: z.object({ version: z.number().int(), publishedAt: IsoDate, note: z.string().nullable() }),
    inputs: z.array(InputFieldSchema).describe("The Start node's declared inputs of the latest version"),
    inputSchema: z.record(z.string(), z.unknown()).describe("The same inputs as a JSON Schema for `inputs` in StartRunRequest"),
  })
  .register(apiSchemas, { id: "PublishedWorkflow" });

export const WorkflowListSchema = z.object({ workflows: z.array(PublishedWorkflowSchema) }).register(apiSchemas, { id: "WorkflowList" });

/** A workflow file (as exported from the editor) to import as a new draft; nothing in it runs. */
export const ImportWorkflowRequestSchema = ImportWorkflowSchema.register(apiSchemas, {
  id: "ImportWorkflowRequest",
  description: "`file` is a workflow file as exported from the editor (`format: \"weft.workflow\"`); `name` overrides its name.",
});
export type ImportWorkflowRequest = z.input<typeof ImportWorkflowRequestSchema>;
/** What an import did with one id the file referred to (lib/workflows/name-refs.ts). */
const importMappingSchema = (noun: string) =>
  z.object({
    sourceId: z.string().describe(`The ${noun} id in the file (the exporting workspace's)`),
    name: z.string(),
    status: z.enum(["kept", "mapped", "missing"]).describe(`kept: the same ${noun} is in this workspace; mapped: this workspace's ${noun} of that name; missing: none (the node shows a validation error until one is picked)`),
    targetId: z.string().nullable(),
    reason: z.string().optional(),
    nodeIds: z.array(z.string()),
  });
export const ImportedWorkflowSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    knowledgeBases: z.array(importMappingSchema("knowledge base")).describe("Every knowledge base the workflow refers to and what it became here"),
    providers: z
      .array(importMappingSchema("model provider"))
      .describe("Every model provider of the workflow's rerank settings (Knowledge retrieval node, Agent knowledge tools) and what it became here"),
  })
  .register(apiSchemas, { id: "ImportedWorkflow" });
export type ImportedWorkflow = z.infer<typeof ImportedWorkflowSchema>;

export const StartRunRequestSchema = z
  .strictObject({
    inputs: z.record(z.string(), z.unknown()).default({}).describe("Values for the Start node's inputs (JSON types are checked strictly)"),
    version: z.number().int().min(1).max(MAX_INT32, "version is out of range").optional().describe("Run this published version; the latest when omitted"),
    mode: z.enum(RUN_MODES).default("async").describe("async: answer 202 at once; sync: wait for the result; stream: Server-Sent Events"),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(MAX_SYNC_TIMEOUT_MS)
      .optional()
      .describe(`sync only: how long to wait before answering 202 (default ${DEFAULT_SYNC_TIMEOUT_MS}, max ${MAX_SYNC_TIMEOUT_MS})`),
  })
  .register(apiSchemas, { id: "StartRunRequest" });
export type StartRunRequest = z.input<typeof StartRunRequestSchema>;

export const RunAcceptedSchema = z
  .object({ runId: z.string(), status: z.enum(RUN_STATUSES) })
  .register(apiSchemas, { id: "RunAccepted", description: "The run was queued (or is still running after a sync wait)." });

export const RunErrorSchema = z.looseObject({ code: z.string(), message: z.string(), nodeId: z.string().optional() }).register(apiSchemas, { id: "RunError" });

export const RunStepSchema = z
  .object({
    nodeId: z.string(),
    nodeType: z.string(),
    iteration: z.number().int(),
    status: z.enum(STEP_STATUSES),
    output: z.unknown().nullable(),
    error: RunErrorSchema.nullable(),
    branch: z.string().nullable(),
    totalTokens: z.number().int(),
    startedAt: IsoDate,
    finishedAt: IsoDate.nullable(),
    partialText: z.string().optional().describe("Stream snapshots only: the text a running LLM step has streamed so far; later `delta` events continue it"),
  })
  .register(apiSchemas, { id: "RunStep" });

apiSchemas.add(ApprovalRequestSchema, { id: "ApprovalRequest", description: "What an approval asks: the rendered title and message, the role required to decide, what happens on timeout." });
apiSchemas.add(QuestionRequestSchema, { id: "QuestionRequest", description: "What a question asks: the rendered prompt and the typed fields of the answer." });
apiSchemas.add(ApprovalAnswerSchema, { id: "ApprovalAnswer", description: "A decision on an approval." });

export const WAIT_KINDS = ["approval", "question", "subworkflow"] as const;
export const WAIT_STATUSES = ["pending", "answered", "timed_out", "cancelled"] as const;

export const WaitAnswererSchema = z
  .object({ kind: z.enum(["user", "api_key", "visitor"]), id: z.string(), name: z.string() })
  .register(apiSchemas, { id: "WaitAnswerer", description: "Who answered: a member or signed-in chat user (user id), an API key (key id) or a chat app's signed-out visitor (visitor id)." });

export const RunWaitSchema = z
  .object({
    id: z.string().describe("Pass it to POST /api/v1/runs/{id}/waits/{waitId}/answer"),
    nodeId: z.string(),
    iteration: z.number().int(),
    kind: z.enum(WAIT_KINDS).describe("approval and question are answered by people or API keys; subworkflow by its child run"),
    status: z.enum(WAIT_STATUSES),
    request: z.union([ApprovalRequestSchema, QuestionRequestSchema, z.record(z.string(), z.unknown())]),
    answer: z.record(z.string(), z.unknown()).nullable().describe("The answer given (approval: decision and comment; question: the fields)"),
    answeredBy: WaitAnswererSchema.nullable(),
    answeredAt: IsoDate.nullable(),
    timeoutAt: IsoDate.nullable(),
    createdAt: IsoDate,
    childRunId: z.string().nullable(),
  })
  .register(apiSchemas, { id: "RunWait", description: "Something a run waits for. Pending ones are listed first." });
export type RunWaitView = z.infer<typeof RunWaitSchema>;

export const AnswerWaitRequestSchema = z
  .union([ApprovalAnswerSchema, z.record(z.string(), z.unknown()).describe("A question's answer: one property per field of the question, typed as declared")])
  .register(apiSchemas, {
    id: "AnswerWaitRequest",
    description: "An approval takes `{ decision: approve | reject, comment? }`; a question takes its fields (required ones must be present, no others).",
  });
export type AnswerWaitRequest = z.input<typeof AnswerWaitRequestSchema>;

export const AnswerWaitResultSchema = z
  .object({
    waitId: z.string(),
    runId: z.string(),
    status: z.literal("answered"),
    requeued: z.boolean().describe("Whether the run went back to the queue now (false while another branch of it is still running; it continues then)"),
    answer: z.record(z.string(), z.unknown()),
    answeredBy: WaitAnswererSchema,
  })
  .register(apiSchemas, { id: "AnswerWaitResult" });
export type AnswerWaitResult = z.infer<typeof AnswerWaitResultSchema>;

export const CancelRunResultSchema = z
  .object({ runId: z.string(), status: z.literal("cancelled"), previousStatus: z.enum(["queued", "running", "waiting"]) })
  .register(apiSchemas, { id: "CancelRunResult" });
export type CancelRunResult = z.infer<typeof CancelRunResultSchema>;

export const ThrottledSchema = z
  .object({ reason: z.string().describe('What the run waits for, e.g. provider "OpenAI" allows 60 requests per minute'), until: IsoDate.describe("When it is tried again") })
  .register(apiSchemas, { id: "Throttled" });

export const RunCostSchema = z
  .record(z.string(), z.number())
  .register(apiSchemas, { id: "RunCost", description: "The run's model cost by currency, e.g. { \"USD\": 0.0123 }, from the models' prices set in Settings → Models." });

apiSchemas.add(RunInitiatorSchema, {
  id: "RunInitiator",
  description: "Who started the run: the API key (kind api_key, its id and name) or the member (kind user). Sub-workflow and tool runs carry their parent run's initiator.",
});

/** Who and what started a run, and what it cost: on the run object and on each item of the run list. */
const runOriginShape = {
  trigger: z.string().describe(`What started the run: ${RUN_TRIGGERS.join(", ")} (more kinds may be added)`),
  initiator: RunInitiatorSchema.nullable(),
  cost: RunCostSchema.nullable().describe("Null when no priced model ran"),
};

export const RunSchema = z
  .object({
    id: z.string(),
    workflowId: z.string().nullable(),
    workflowName: z.string(),
    version: z.number().int().nullable().describe("The published version this run executes; null for editor test-runs of a draft"),
    status: z.enum(RUN_STATUSES),
    inputs: z.unknown(),
    output: z.unknown().nullable(),
    error: RunErrorSchema.nullable(),
    usage: z.object({ promptTokens: z.number().int(), completionTokens: z.number().int(), totalTokens: z.number().int() }),
    ...runOriginShape,
    createdAt: IsoDate,
    startedAt: IsoDate.nullable(),
    finishedAt: IsoDate.nullable(),
    throttled: ThrottledSchema.nullable().describe("Set while a queued run waits for a limit (a model provider's rate, the workflow's concurrency); it continues on its own"),
    steps: z.array(RunStepSchema),
    waits: z.array(RunWaitSchema).describe("Approvals, questions and sub-workflows the run waits or waited for; pending ones first"),
  })
  .register(apiSchemas, { id: "Run" });
export type RunView = z.infer<typeof RunSchema>;

export const RunListItemSchema = z
  .object({
    id: z.string(),
    workflowId: z.string().nullable(),
    workflowName: z.string(),
    version: z.number().int().nullable(),
    status: z.enum(RUN_STATUSES),
    ...runOriginShape,
    totalTokens: z.number().int(),
    durationMs: z.number().int().nullable(),
    createdAt: IsoDate,
    startedAt: IsoDate.nullable(),
    finishedAt: IsoDate.nullable(),
  })
  .register(apiSchemas, { id: "RunListItem", description: "A run as the run list shows it; GET /api/v1/runs/{id} has its inputs, output and steps." });

export const RunListSchema = z
  .object({
    runs: z.array(RunListItemSchema).describe("Newest first"),
    nextCursor: z.string().nullable().describe("Pass as `cursor` (with the same filters) for the next, older page; null on the last page"),
  })
  .register(apiSchemas, { id: "RunList" });
export type RunList = z.infer<typeof RunListSchema>;

/** Query of GET /api/v1/runs: the runs page's filters (lib/runs/run-search.ts) and a page. */
export const ListRunsRequestSchema = ListRunsQuerySchema.strict();
export type ListRunsRequest = z.input<typeof ListRunsRequestSchema>;

/** The `data` of each Server-Sent Event; the SSE `event:` field is the same as `type`. */
export const StepEventSchema = z
  .object({
    type: z.literal("step"),
    nodeId: z.string(),
    iteration: z.number().int(),
    status: z.enum(STEP_STATUSES),
    output: z.unknown().optional(),
    branch: z.string().nullish(),
    error: RunErrorSchema.nullish(),
    wait: z
      .object({ kind: z.enum(WAIT_KINDS), request: z.record(z.string(), z.unknown()) })
      .optional()
      .describe("On `waiting`: what the step waits for (the run's `waits` list has its id to answer it)"),
    origin: z
      .enum(["pinned", "disabled"])
      .optional()
      .describe("The node did not execute: `disabled` (a skipped disabled node) or `pinned` (an editor test-run used its pinned output; never on runs of a published version)"),
    at: IsoDate,
  })
  .register(apiSchemas, { id: "StepEvent" });
export const DeltaEventSchema = z
  .object({
    type: z.literal("delta"),
    nodeId: z.string(),
    iteration: z.number().int(),
    text: z.string(),
    offset: z.number().int().optional().describe("Byte offset of `text` in the step's streamed output"),
  })
  .register(apiSchemas, { id: "DeltaEvent", description: "A streamed piece of an LLM node's answer. After a (re)connect, deltas continue the snapshot's `partialText`." });
export const RunStatusEventSchema = z
  .object({ type: z.literal("run"), status: z.enum(RUN_STATUSES), output: z.unknown().optional(), error: RunErrorSchema.nullish(), throttled: ThrottledSchema.optional(), at: IsoDate })
  .register(apiSchemas, { id: "RunStatusEvent" });
export const SnapshotEventSchema = z
  .object({ type: z.literal("snapshot"), run: RunSchema })
  .register(apiSchemas, { id: "SnapshotEvent", description: "The run as PostgreSQL knows it; always the first event of a stream." });
export const StreamEventSchema = z
  .discriminatedUnion("type", [SnapshotEventSchema, StepEventSchema, DeltaEventSchema, RunStatusEventSchema])
  .register(apiSchemas, { id: "StreamEvent" });
export type StreamEvent = z.infer<typeof StreamEventSchema>;

export const TERMINAL_RUN_STATUSES: readonly string[] = ["succeeded", "failed", "cancelled"];
