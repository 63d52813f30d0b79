import { ErrorCode, McpError, type ElicitRequestParams, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import type { HeldWaitPort, ToolCallStep } from "@/lib/engine/ports";
import type { QuestionField, QuestionRequest } from "@/lib/nodes/question/definition";
import { StoredAnswerSchema } from "@/lib/nodes/wait-kit";
import type { ServerRequestLog } from "./server-requests";

/**
 * Answers an MCP server's `elicitation/create` (form mode) by asking a person: in a run, a Question
 * wait held on the step (lib/runs/held-waits.ts) while the tool call stays open, with the requested
 * schema's properties as the Question's fields and a "Decline" box. The answer goes back as
 * `accept` with the values, a ticked Decline as `decline`, a cancelled run as `cancel`. The wait
 * lasts until one second before the call's own deadline (WEFT_MCP_CALL_TIMEOUT_MS): if nobody
 * answers by then the server gets `cancel` and the call fails as a timeout that says so. From the
 * tool console there is nobody to ask: the request is refused with a message that says why.
 */

export interface ElicitationDeps {
  heldWaits?: HeldWaitPort;
  step?: ToolCallStep;
  server: string;
  toolName: string;
  /** When the tool call times out (epoch ms). */
  deadline: number;
}

/** The Question field a person ticks to decline (no server property may start with "_weft"). */
export const DECLINE_FIELD = "_weft_decline";
const FIELD_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;

type PropertySchema = Record<string, unknown>;

function refuse(log: ServerRequestLog, params: ElicitRequestParams, message: string): never {
  log.elicitation.push({ message: params.message, fields: [], action: "refused", error: message });
  log.refusals.push(message);
  throw new McpError(ErrorCode.InvalidRequest, message);
}

/** One property of the requested schema as a Question field, or why it cannot be one. */
function fieldOf(name: string, schema: PropertySchema, required: boolean): QuestionField | string {
  if (!FIELD_NAME.test(name) || name.startsWith("_weft")) return `the field name "${name}" cannot be asked`;
  const label = typeof schema.title === "string" ? schema.title.slice(0, 200) : name;
  const description = typeof schema.description === "string" ? schema.description.slice(0, 500) : "";
  const base = { name, label, required, description, options: [] as string[], default: null as string | number | boolean | null };
  const enumValues = Array.isArray(schema.enum) ? schema.enum : Array.isArray(schema.oneOf) ? (schema.oneOf as { const?: unknown }[]).map((o) => o.const) : null;
  const fallback = schema.default;
  switch (schema.type) {
    case "string":
      if (enumValues) {
        const options = enumValues.filter((v): v is string => typeof v === "string").slice(0, 100);
        return { ...base, type: "select", options, default: typeof fallback === "string" && options.includes(fallback) ? fallback : null };
      }
      return { ...base, type: "string", default: typeof fallback === "string" ? fallback : null };
    case "number":
    case "integer":
      return { ...base, type: "number", default: typeof fallback === "number" ? fallback : null };
    case "boolean":
      return { ...base, type: "boolean", default: typeof fallback === "boolean" ? fallback : null };
    default:
      return `the field "${name}" has the type "${String(schema.type)}", which a Question cannot ask`;
  }
}

export function questionFields(requested: { properties: Record<string, PropertySchema>; required?: string[] }): QuestionField[] | string {
  const required = new Set(requested.required ?? []);
  const fields: QuestionField[] = [];
  for (const [name, schema] of Object.entries(requested.properties).slice(0, 29)) {
    const field = fieldOf(name, schema, required.has(name));
    if (typeof field === "string") return field;
    fields.push(field);
  }
  const decline: QuestionField = { name: DECLINE_FIELD, label: "Decline (tell the server no)", type: "boolean", required: false, options: [], default: null, description: "" };
  return [...fields, decline];
}

export async function answerElicitation(params: ElicitRequestParams, signal: AbortSignal, deps: ElicitationDeps, log: ServerRequestLog): Promise<ElicitResult> {
  if (params.mode === "url" || !("requestedSchema" in params)) return refuse(log, params, `${deps.server} asked to open a URL; Weft answers form questions only.`);
  if (!deps.heldWaits || !deps.step) {
    return refuse(log, params, `${deps.server} asked a question ("${params.message.slice(0, 200)}"), but the tool console cannot ask a person. Call ${deps.toolName} from a workflow run to answer it.`);
  }
  const fields = questionFields(params.requestedSchema as { properties: Record<string, PropertySchema>; required?: string[] });
  if (typeof fields === "string") return refuse(log, params, `${deps.server} asked a question Weft cannot show: ${fields}.`);
  const request: QuestionRequest = { title: `${deps.server} asks (${deps.toolName})`, prompt: params.message, fields, hasTimeout: true };
  const entry: ServerRequestLog["elicitation"][number] = { message: params.message, fields: fields.filter((f) => f.name !== DECLINE_FIELD).map((f) => f.name), action: "cancel" };
  log.elicitation.push(entry);
  const timeoutMs = Math.max(1_000, deps.deadline - Date.now() - 1_000);
  const step = { ...deps.step, slot: `${deps.step.slot || "call"}:elicit-${log.elicitation.length}` };
  const resolution = await deps.heldWaits.hold({ step, kind: "question", request: request as unknown as Record<string, unknown>, timeoutMs, signal });
  entry.waitStatus = resolution.status;
  if (resolution.status === "timed_out") {
    log.elicitationTimedOut = `Nobody answered the question of ${deps.server} ("${params.message.slice(0, 200)}") before the call's timeout (WEFT_MCP_CALL_TIMEOUT_MS).`;
    return { action: "cancel" };
  }
  if (resolution.status === "cancelled") return { action: "cancel" };
  const stored = StoredAnswerSchema.parse(resolution.response);
  entry.answeredBy = stored.by.name;
  if (stored.answer[DECLINE_FIELD] === true) {
    entry.action = "decline";
    return { action: "decline" };
  }
  const content: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(stored.answer)) {
    if (name !== DECLINE_FIELD && (typeof value === "string" || typeof value === "number" || typeof value === "boolean")) content[name] = value;
  }
  entry.action = "accept";
  return { action: "accept", content };
}
