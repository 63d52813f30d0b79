import { randomUUID } from "node:crypto";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ApiCaller } from "@/lib/api-keys/authenticate";
import { scopeFor } from "@/lib/api-keys/scopes";
import { runAnswer } from "@/lib/channels/run-answer";
import { ServiceError } from "@/lib/services/errors";
import { ApiProblem } from "./errors";
import { waitForRunEnd, watchRunEnd } from "./wait";
import { findPublishedBySlug, listPublishedWorkflows, startVersionRun } from "./workflows";

/**
 * Weft as an MCP server (`/api/mcp`): the workspace's published workflows marked "expose as tool"
 * are its tools (name = slug, input schema = the latest version's Start inputs); calling one runs
 * the latest published version and waits for it. One `Server` per HTTP request (stateless
 * Streamable HTTP), bound to the API key that made the request: listing needs `workflows:read`
 * (the route's action), calling also `runs:write`.
 */

/** MCP clients give up on a request after 60 s by default; answer before that with the run id. */
export const TOOL_CALL_TIMEOUT_MS = 55_000;

const RUN_SCOPE = scopeFor("run.start")!;

const toolError = (text: string): CallToolResult => ({ isError: true, content: [{ type: "text", text }] });

export function mcpServerFor(caller: ApiCaller): Server {
  const server = new Server({ name: "weft", version: "1.0.0" }, { capabilities: { tools: { listChanged: false } } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await listTools(caller) }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => callTool(caller, request.params.name, request.params.arguments ?? {}, extra.signal));
  return server;
}

async function listTools(caller: ApiCaller): Promise<Tool[]> {
  const workflows = await listPublishedWorkflows(caller, { exposedAsTools: true });
  return workflows.map((w) => ({
    name: w.slug,
    title: w.name,
    description: w.description || `Runs the Weft workflow “${w.name}”.`,
    inputSchema: w.inputSchema as Tool["inputSchema"],
  }));
}

/** Runs the tool's workflow; failures of the run (or of its inputs) are tool errors the model can read. */
async function callTool(caller: ApiCaller, name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
  const found = await findPublishedBySlug(caller.workspaceId, name);
  if (!found?.exposeAsTool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
  if (!caller.scopes.includes(RUN_SCOPE)) return toolError(`This API key lacks the ${RUN_SCOPE} scope needed to run workflows.`);
  const runId = randomUUID();
  const watch = await watchRunEnd(runId);
  try {
    await startVersionRun(caller, found, args, undefined, { runId, trigger: "mcp", endView: true });
  } catch (error) {
    watch.close();
    if (error instanceof ServiceError || error instanceof ApiProblem) return toolError(problemText(error));
    throw error;
  }
  const run = await waitForRunEnd(caller.workspaceId, runId, TOOL_CALL_TIMEOUT_MS, signal, watch);
  if (run?.status === "succeeded") {
    const output = run.output && typeof run.output === "object" && !Array.isArray(run.output) ? (run.output as Record<string, unknown>) : { output: run.output };
    // The text is the answer as a chat would give it (a chat app's Answer texts); the structure stays the End output.
    const text = await runAnswer(found.graph, runId, run.output);
    return { content: [{ type: "text", text }], structuredContent: output, _meta: { "weft/runId": runId } };
  }
  if (run?.status === "failed" || run?.status === "cancelled") return toolError(`The workflow run ${runId} ${run.status}${run.error?.message ? `: ${run.error.message}` : "."}`);
  return toolError(`The workflow run ${runId} has not finished (${run?.status ?? "queued"}); follow it in Weft or at /api/v1/runs/${runId}.`);
}

function problemText(error: ServiceError | ApiProblem): string {
  const problems = (error instanceof ServiceError ? error.details?.problems : error.extra.problems) as { field?: string; message: string }[] | undefined;
  return [error.message, ...(problems ?? []).map((p) => p.message)].join(" ");
}
