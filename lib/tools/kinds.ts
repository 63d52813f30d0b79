import type { ToolCallers } from "./context";
import { callCodeTool } from "./kinds/code";
import { callHttpTool } from "./kinds/http";
import { callOpenApiTool } from "./kinds/openapi";
import { callWorkflowTool } from "./kinds/workflow";

/** One caller per tool kind; a kind without one does not compile. */
export const toolCallers = {
  http: callHttpTool,
  openapi: callOpenApiTool,
  code: callCodeTool,
  workflow: callWorkflowTool,
  mcp: async (ctx) => {
    // The MCP SDK loads with the first MCP call, so processes that never call one do not hold it.
    const { callMcpTool } = await import("./mcp/call");
    const result = await callMcpTool(ctx.db, ctx.tool, ctx.input, {
      signal: ctx.signal,
      idempotencyKey: ctx.idempotencyKey,
      allowPrivate: ctx.allowPrivate,
      onProgress: ctx.onProgress,
      chat: ctx.chat,
      heldWaits: ctx.heldWaits,
      step: ctx.step,
    });
    return { output: result.output, detail: result.detail, usage: result.usage, cost: result.cost };
  },
} satisfies ToolCallers;
