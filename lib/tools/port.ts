import type { Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import type { ChatRequest, ChatResponse, CodeRequest, CodeResponse, HeldWaitPort, SecretPort, ToolDescriptor, ToolInvocation, ToolPort, ToolResult } from "@/lib/engine/ports";
import type { GuardOptions } from "@/lib/net/ssrf";
import { getNetworkAllowList } from "@/lib/net/workspace-allow-list";
import { createHttpService } from "@/lib/nodes/http/client";
import { withSecretEgress } from "@/lib/secrets/egress";
import { createSecretResolver } from "@/lib/secrets/resolver";
import type { ToolCallContext, ToolRow } from "./context";
import { validateAgainstSchema } from "./json-schema";
import { toolCallers } from "./kinds";
import { TOOL_KINDS, type ToolKind } from "./schema";

/**
 * The workspace's tool registry as the engine sees it (Agent and Tool nodes, the tool console).
 * `call` finds the tool (by id, or by name), checks the input against its schema, dispatches by kind
 * and times the call. Every failure is a NodeError: `tool_not_found`, `tool_error`, or
 * `tool_unavailable` (retryable: 429/5xx/network/timeouts). Secret values the call resolved are
 * redacted from its output, trace and error message before anything records them.
 */

export interface ToolPortDeps {
  db: Db;
  workspaceId: string;
  /** WEFT_ALLOW_PRIVATE_NETWORK; the workspace allow-list opens single hosts and networks on top. */
  allowPrivate: boolean;
  runCode?: (request: CodeRequest) => Promise<CodeResponse>;
  /** The run's secret port (shared with HTTP nodes, so one redaction list); a fresh one when absent. */
  secrets?: SecretPort;
  /** DNS for the allow-list and SSRF checks; tests pass a fake. */
  resolve?: GuardOptions["resolve"];
  /** The workspace's chat service: MCP sources that enable sampling answer their servers with it. */
  chat?: (request: ChatRequest) => Promise<ChatResponse>;
  /** Waits held on the calling step (MCP elicitation in runs); absent from the console, which refuses them. */
  heldWaits?: HeldWaitPort;
}

const isKind = (kind: string): kind is ToolKind => (TOOL_KINDS as readonly string[]).includes(kind);
const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

function descriptor(row: ToolRow): ToolDescriptor {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    inputSchema: row.inputSchema as Record<string, unknown>,
    ...(row.outputSchema ? { outputSchema: row.outputSchema as Record<string, unknown> } : {}),
    ...(requiresApproval(row) ? { requiresApproval: true } : {}),
  };
}

/** An MCP tool a developer set to "require approval before each call" (lib/tools/mcp/schema.ts McpToolConfig). */
function requiresApproval(row: ToolRow): boolean {
  return row.kind === "mcp" && typeof row.config === "object" && row.config !== null && (row.config as { requireApproval?: unknown }).requireApproval === true;
}

/** Other codes a kind may raise keep their meaning but become one of the tool codes. */
function asToolError(error: unknown, tool: string): NodeError {
  if (error instanceof NodeError) {
    if (["tool_error", "tool_unavailable", "tool_not_found", "cancelled", "secret_denied"].includes(error.code)) return error;
    const code = error.retryable ? "tool_unavailable" : "tool_error";
    return new NodeError(code, error.message, { retryable: error.retryable, cause: error, trace: error.trace, retryAfterMs: error.retryAfterMs });
  }
  return new NodeError("tool_error", `The tool ${tool} failed unexpectedly.`, { cause: error });
}

export function createToolPort(deps: ToolPortDeps): ToolPort {
  const secrets = deps.secrets ?? createSecretResolver(deps.db, deps.workspaceId);

  async function findTool(ref: string): Promise<ToolRow> {
    const row = await deps.db.tool.findFirst({ where: { workspaceId: deps.workspaceId, ...(isUuid(ref) ? { id: ref } : { name: ref }) } });
    if (!row) throw new NodeError("tool_not_found", `There is no tool ${ref} in this workspace.`);
    if (!row.enabled) throw new NodeError("tool_not_found", `The tool ${row.name} is disabled.`);
    return row;
  }

  return {
    async describe(toolIds) {
      const ids = [...new Set(toolIds)];
      const rows = await deps.db.tool.findMany({ where: { workspaceId: deps.workspaceId, id: { in: ids.filter(isUuid) } } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      const missing = ids.filter((id) => !byId.get(id)?.enabled);
      if (missing.length > 0) {
        throw new NodeError("tool_not_found", `These tools do not exist in this workspace or are disabled: ${missing.join(", ")}.`);
      }
      return ids.map((id) => descriptor(byId.get(id)!));
    },

    async call(invocation: ToolInvocation): Promise<ToolResult> {
      const started = performance.now();
      const tool = await findTool(invocation.toolId);
      const problems = validateAgainstSchema(tool.inputSchema as Record<string, unknown>, invocation.input);
      if (problems.length > 0) {
        const list = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join("; ");
        throw new NodeError("tool_error", `The input does not match ${tool.name}'s input schema: ${list}`, { retryable: false, trace: { input: invocation.input } });
      }
      if (!isKind(tool.kind)) throw new NodeError("tool_unavailable", `The tool ${tool.name} has the unknown kind "${tool.kind}".`, { retryable: false });
      const ctx: ToolCallContext = {
        db: deps.db,
        workspaceId: deps.workspaceId,
        tool,
        input: invocation.input,
        signal: invocation.signal,
        idempotencyKey: invocation.idempotencyKey,
        secrets,
        // Every hop of HTTP and OpenAPI tools is checked against the hosts of the secrets it carries.
        http: withSecretEgress(createHttpService({ allowPrivate: deps.allowPrivate, allowList: () => getNetworkAllowList(deps.db, deps.workspaceId), resolve: deps.resolve }), secrets),
        runCode: deps.runCode,
        allowPrivate: deps.allowPrivate,
        onProgress: invocation.onProgress,
        chat: deps.chat,
        heldWaits: deps.heldWaits,
        step: invocation.step,
      };
      const elapsed = () => Math.round(performance.now() - started);
      try {
        const outcome = await toolCallers[tool.kind](ctx);
        const spent = outcome.usage ? { usage: outcome.usage, ...(outcome.cost ? { cost: outcome.cost } : {}) } : {};
        return secrets.redact({ output: outcome.output, detail: { ...outcome.detail, tool: tool.name, kind: tool.kind, version: tool.version }, durationMs: elapsed(), ...spent });
      } catch (error) {
        if (invocation.signal.aborted && !(error instanceof NodeError && error.code === "cancelled")) {
          throw new NodeError("cancelled", "The run was cancelled.", { cause: error });
        }
        const failure = asToolError(error, tool.name);
        throw new NodeError(failure.code, secrets.redact(failure.message), {
          retryable: failure.retryable,
          cause: failure.cause,
          retryAfterMs: failure.retryAfterMs,
          trace: secrets.redact({ ...failure.trace, detail: { ...failure.trace.detail, tool: tool.name, kind: tool.kind, durationMs: elapsed() } }),
        });
      }
    },
  };
}
