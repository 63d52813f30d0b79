import { SseError } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import type { ChatRequest, ChatResponse, HeldWaitPort, ToolCallStep, ToolProgress, ToolResult } from "@/lib/engine/ports";
import { env } from "@/lib/env";
import { findSsrfError } from "@/lib/net/guarded-fetch";
import { redactSecrets } from "@/lib/secrets/crypto";
import type { McpConnection } from "./connection";
import { mcpPool, type McpPool } from "./pool";
import { mapCallResult, type CallResultLike } from "./result";
import { McpToolConfigSchema, type StoredMcpServer } from "./schema";
import { poolKey, startSource, storedConfig, type StartDeps } from "./start";
import { markAnswered, markFailed } from "./status";
import { stderrSummary } from "./stderr";
import type { ServerRequestAnswers } from "./client-features";
import { answerElicitation } from "./elicitation";
import { answerSampling } from "./sampling";
import { newServerRequestLog, serverRequestTrace, type ServerRequestLog } from "./server-requests";

/** The `mcp` kind of the tool registry: one `tools/call` on the source's pooled client. */

export interface McpToolRow {
  id: string;
  workspaceId: string;
  name: string;
  sourceId: string | null;
  config: unknown;
}

export interface McpCallOptions extends StartDeps {
  signal: AbortSignal;
  /** Passed to the server as `_meta["io.weft/idempotency-key"]` so it can de-duplicate a re-executed step. */
  idempotencyKey?: string;
  pool?: McpPool;
  timeoutMs?: number;
  /** Receives the server's progress notifications for this call (also kept in the trace). */
  onProgress?: (progress: ToolProgress) => void;
  /** The workspace's chat service: answers the server's sampling requests when the source enables sampling. */
  chat?: (request: ChatRequest) => Promise<ChatResponse>;
  /** Asks a person while the call stays open (the server's elicitation); absent from the console. */
  heldWaits?: HeldWaitPort;
  /** The step making the call (absent from the console). */
  step?: ToolCallStep;
}

/** Progress reports kept in a call's trace (the first ones and the last are what matter). */
const MAX_PROGRESS_IN_TRACE = 50;

export const IDEMPOTENCY_META_KEY = "io.weft/idempotency-key";

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new NodeError("cancelled", "The run was cancelled.");
}

/** Classifies what went wrong in a call (not a tool error result: those are mapped in result.ts). */
export function callError(error: unknown, server: string, toolName: string, connection?: McpConnection): NodeError {
  if (error instanceof NodeError) return error;
  const ssrf = findSsrfError(error);
  if (ssrf) return new NodeError("network_blocked", ssrf.message, { cause: error });
  const stderr = connection?.stderrTail();
  const said = stderr ? ` Its last output: ${stderrSummary(stderr, 3).split("\n").join(" | ")}` : "";
  if (error instanceof McpError) {
    switch (error.code) {
      case ErrorCode.ConnectionClosed:
        return new NodeError("tool_unavailable", `The MCP server ${server} stopped while ${toolName} was running; it is restarted on the next call.${said}`, { retryable: true, cause: error });
      case ErrorCode.RequestTimeout:
        return new NodeError("timeout", `The MCP server ${server} did not answer ${toolName} in time.`, { retryable: true, cause: error });
      case ErrorCode.InvalidParams:
      case ErrorCode.MethodNotFound:
        return new NodeError("tool_error", `${server} → ${toolName}: ${error.message}`, { retryable: false, cause: error });
      default:
        return new NodeError("tool_error", `${server} → ${toolName}: ${error.message}`, { retryable: error.code === ErrorCode.InternalError, cause: error });
    }
  }
  const status = (error as { code?: unknown }).code;
  if (typeof status === "number" && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new NodeError("tool_error", `${server} → ${toolName}: HTTP ${status} ${(error as Error).message}`, { retryable: false, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new NodeError("tool_unavailable", `The MCP server ${server} could not be reached for ${toolName}: ${message}`, { retryable: true, cause: error });
}

/**
 * An HTTP session the server no longer has: it restarted or expired it (HTTP 404, or 400 naming the
 * session, e.g. "No valid session ID provided"), or the connection under it closed. Worth one new
 * session; a stdio process that died is not (its call fails as `tool_unavailable`, the next starts it).
 */
export function isSessionLost(error: unknown, connection: McpConnection | undefined): boolean {
  if (!connection || connection.transport === "stdio") return false;
  if (findSsrfError(error)) return false;
  if (error instanceof StreamableHTTPError) return error.code === 404 || (error.code === 400 && /session/i.test(error.message));
  if (error instanceof SseError) return true;
  if (error instanceof McpError) return error.code === ErrorCode.ConnectionClosed;
  const message = error instanceof Error ? error.message : "";
  // The SSE transport's POST to a session the server forgot; a socket the restarted server closed.
  return /Error POSTing to endpoint \(HTTP (400|404)\)/.test(message) || (error instanceof TypeError && /fetch failed|terminated|other side closed/i.test(message));
}

/** Whether a failed call says something about the server's availability (not the tool's own answer, a timeout or a cancel). */
function connectionProblem(error: unknown, answered: boolean): boolean {
  if (answered) return false;
  if (error instanceof McpError) return error.code === ErrorCode.ConnectionClosed;
  if (error instanceof NodeError) return error.code === "tool_unavailable" || error.code === "network_blocked";
  return true;
}

/**
 * Calls an MCP tool (a `Tool` row of kind "mcp"): starts the source's server through the pool if
 * it is not running, sends `tools/call` with the caller's abort signal and a timeout, and maps the
 * result. Secrets the server was started with are redacted from the output and trace.
 *
 * A lost HTTP session (isSessionLost) is discarded and the call sent once more on a new session:
 * once only, and at the risk of a second execution when the server had run the call before it
 * lost the session (the idempotency key in `_meta` lets it recognise the repeat). The source's
 * status (status.ts) records the outcome for every process.
 */
export async function callMcpTool(db: Db, tool: McpToolRow, input: Record<string, unknown>, options: McpCallOptions): Promise<ToolResult> {
  const started = performance.now();
  if (options.signal.aborted) throw abortReason(options.signal);
  const toolConfig = McpToolConfigSchema.safeParse(tool.config);
  if (!toolConfig.success || !tool.sourceId) throw new NodeError("tool_error", `The tool ${tool.name} is not linked to an MCP server tool; refresh its server's tools.`, { retryable: false });
  const source = await db.toolSource.findFirst({
    where: { id: tool.sourceId, workspaceId: tool.workspaceId, kind: "mcp" },
    select: { id: true, workspaceId: true, name: true, config: true },
  });
  if (!source) throw new NodeError("tool_not_found", `The MCP server of the tool ${tool.name} was deleted.`);
  const { server } = storedConfig(source);
  const toolName = toolConfig.data.toolName;
  const pool = options.pool ?? mcpPool();
  const timeoutMs = options.timeoutMs ?? env().WEFT_MCP_CALL_TIMEOUT_MS;

  const log = newServerRequestLog();
  const answers = serverAnswers(db, source, server, { server: toolName, weft: tool.name }, options, log, Date.now() + timeoutMs);
  let used: McpConnection | undefined;
  let answered = false;
  let reconnected = false;
  const progress: (ToolProgress & { at: string })[] = [];
  const onprogress = (report: ToolProgress) => {
    const entry = { progress: report.progress, ...(report.total !== undefined ? { total: report.total } : {}), ...(report.message ? { message: report.message } : {}) };
    if (progress.length >= MAX_PROGRESS_IN_TRACE) progress.splice(MAX_PROGRESS_IN_TRACE - 1, 1);
    progress.push({ ...entry, at: new Date().toISOString() });
    options.onProgress?.(entry);
  };
  const attempt = () =>
    pool.use(
      poolKey(source, server),
      () => startSource(db, source, server, options),
      async (connection) => {
        used = connection;
        const result = (await connection.calls.run(answers, options.signal, () => connection.client.callTool(
          {
            name: toolName,
            arguments: input,
            ...(options.idempotencyKey ? { _meta: { [IDEMPOTENCY_META_KEY]: options.idempotencyKey } } : {}),
          },
          undefined,
          // Asking for progress gives the call a progress token; a report does not extend the timeout (maxTotalTimeout).
          { signal: options.signal, timeout: timeoutMs, maxTotalTimeout: timeoutMs, onprogress },
        ))) as CallResultLike;
        answered = true;
        if (log.elicitationTimedOut) throw new NodeError("timeout", log.elicitationTimedOut, { retryable: false });
        const durationMs = Math.round(performance.now() - started);
        const trace = {
          server: source.name,
          transport: connection.transport,
          toolName,
          durationMs,
          ...(reconnected ? { reconnected: true } : {}),
          ...(progress.length ? { progress } : {}),
          ...serverRequestTrace(log),
        };
        try {
          const { output, content } = mapCallResult(result, source.name, toolName);
          const spent = log.sampling.length ? { usage: log.usage, ...(log.cost ? { cost: log.cost } : {}) } : {};
          return redactSecrets({ output, detail: { ...trace, content }, durationMs, ...spent }, connection.secrets);
        } catch (error) {
          if (error instanceof NodeError) {
            throw redactError(error.withTrace({ detail: { ...trace, ...error.trace.detail } }), connection.secrets);
          }
          throw error;
        }
      },
    );
  try {
    let result: ToolResult;
    try {
      result = await attempt();
    } catch (error) {
      if (options.signal.aborted || !isSessionLost(error, used)) throw error;
      await pool.discard(used!);
      reconnected = true;
      result = await attempt();
    }
    await markAnswered(db, source.id);
    return result;
  } catch (error) {
    if (options.signal.aborted) throw abortReason(options.signal);
    // A question nobody answered in time is why the call timed out: say so rather than "did not answer".
    const cause = log.elicitationTimedOut && !(error instanceof NodeError) ? new NodeError("timeout", log.elicitationTimedOut, { retryable: false, cause: error }) : error;
    const failure = redactError(withServerRequests(callError(cause, source.name, toolName, used), log, `${source.name} → ${toolName}`), used?.secrets ?? []);
    if (answered) await markAnswered(db, source.id);
    else if (connectionProblem(error, answered)) await markFailed(db, source.id, failure.message);
    throw failure;
  }
}

/**
 * How this call answers its server's sampling and elicitation requests (installed on the
 * connection only when the source enables them; call-scope.ts routes them to the call in flight).
 */
function serverAnswers(
  db: Db,
  source: { id: string; name: string },
  server: StoredMcpServer,
  toolName: { server: string; weft: string },
  options: McpCallOptions,
  log: ServerRequestLog,
  deadline: number,
): ServerRequestAnswers {
  const sampling = "sampling" in server ? server.sampling : undefined;
  return {
    sample: (params, signal) => {
      if (!sampling || !options.chat) throw new McpError(ErrorCode.InvalidRequest, `Sampling is not available for ${source.name} here.`);
      return answerSampling(params, signal, { db, source, settings: sampling, chat: options.chat, step: options.step, idempotencyKey: options.idempotencyKey }, log);
    },
    elicit: (params, signal) => answerElicitation(params, signal, { heldWaits: options.heldWaits, step: options.step, server: source.name, toolName: toolName.weft, deadline }, log),
  };
}

/** A failed call keeps what its server asked (the trace) and says which of its requests were refused. */
function withServerRequests(error: NodeError, log: ServerRequestLog, prefix: string): NodeError {
  const asked = serverRequestTrace(log);
  if (Object.keys(asked).length === 0) return error;
  const refusal = log.refusals[0];
  // The server usually fails with the refusal wrapped in its own words ("MCP error -32600: …" twice): say it once.
  const message = !refusal ? error.message : error.message.includes(refusal) ? `${prefix}: Weft refused the server's request: ${refusal}` : `${error.message} (Weft refused the server's request: ${refusal})`;
  return new NodeError(error.code, message, {
    retryable: error.retryable,
    cause: error.cause,
    retryAfterMs: error.retryAfterMs,
    trace: { ...error.trace, detail: { ...error.trace.detail, ...asked }, ...(log.sampling.length ? { usage: log.usage } : {}) },
  });
}

function redactError(error: NodeError, secrets: string[]): NodeError {
  if (secrets.length === 0) return error;
  return new NodeError(error.code, redactSecrets(error.message, secrets), {
    retryable: error.retryable,
    cause: error.cause,
    trace: redactSecrets(error.trace, secrets),
    retryAfterMs: error.retryAfterMs,
  });
}
