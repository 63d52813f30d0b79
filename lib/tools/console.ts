import { randomUUID } from "node:crypto";
import { createSecretResolver } from "@/lib/secrets/resolver";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import { env } from "@/lib/env";
import { createSandboxPool, type SandboxPool } from "@/lib/sandbox/pool";
import { forbidden, notFound } from "@/lib/services/errors";
import { createChatService } from "@/lib/models/chat-service";
import { createToolPort } from "./port";
import { TOOL_LIMITS } from "./schema";

/** What the tool console shows for one call: the output or the error, the request/response trace, the time. */
export type ToolTestResult =
  | { ok: true; output: unknown; detail: Record<string, unknown>; durationMs: number }
  | { ok: false; error: { code: string; message: string; retryable: boolean }; detail: Record<string, unknown>; durationMs: number };

// One small sandbox pool per web process (a single sandbox process), started on the first code-tool test.
const holder = globalThis as unknown as { __weftConsoleSandbox?: SandboxPool };
const sandbox = () => (holder.__weftConsoleSandbox ??= createSandboxPool({ processes: 1, jobsPerProcess: 4, warmIsolates: 1 }));

/**
 * Runs one tool call from the browser through the same ToolPort the worker uses (input
 * validation, allow-list, secrets resolved and redacted). Editors and above.
 */
export async function testTool(member: Member, toolId: string, input: Record<string, unknown>, options: { db?: Db; allowPrivate?: boolean } = {}): Promise<ToolTestResult> {
  requirePermission(member, "tool.test");
  const db = options.db ?? defaultDb();
  const exists = await db.tool.findFirst({ where: { id: toolId, workspaceId: member.workspaceId }, select: { id: true } });
  if (!exists) throw notFound("Tool");
  const port = createToolPort({
    db,
    workspaceId: member.workspaceId,
    allowPrivate: options.allowPrivate ?? env().WEFT_ALLOW_PRIVATE_NETWORK,
    runCode: (request) => sandbox().forWorkspace(member.workspaceId)(request),
    // The tester is the actor: a secret restricted above their role is refused, as in a run they start.
    secrets: createSecretResolver(db, member.workspaceId, { actorRole: async () => member.role }),
    // MCP sampling works as in a run (the source's model, per-request and per-call caps), billed to no run:
    // its usage and cost are in the result's trace. Elicitation is refused: there is no held wait here.
    chat: createChatService({ db, workspaceId: member.workspaceId }),
  });
  const started = performance.now();
  try {
    const result = await port.call({
      toolId,
      input,
      signal: AbortSignal.timeout(TOOL_LIMITS.maxWorkflowTimeoutMs + 5_000),
      idempotencyKey: `console:${randomUUID()}`,
    });
    return { ok: true, output: result.output, detail: result.detail ?? {}, durationMs: result.durationMs };
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    if (error instanceof NodeError) {
      return { ok: false, error: { code: error.code, message: error.message, retryable: error.retryable }, detail: error.trace.detail ?? {}, durationMs };
    }
    throw error;
  }
}
