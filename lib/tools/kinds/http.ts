import { NodeError } from "@/lib/engine/errors";
import { renderTemplate } from "@/lib/engine/template";
import { renderWithSecrets } from "@/lib/secrets/refs";
import type { ToolCallContext, ToolCallOutcome } from "../context";
import { applyAuth, sendToolRequest, type ToolHttpRequest } from "../http-call";
import { HttpToolConfigSchema } from "../schema";

/**
 * The `http` kind: templates rendered with the tool input as scope. Every property the input
 * schema declares is in scope (null when the caller left it out), so optional arguments render
 * as "" and query parameters that render empty are dropped.
 */

function templateScope(ctx: ToolCallContext): Record<string, unknown> {
  const properties = (ctx.tool.inputSchema as { properties?: Record<string, unknown> } | null)?.properties ?? {};
  const declared = Object.fromEntries(Object.keys(properties).map((name) => [name, null]));
  return { ...declared, ...ctx.input, input: ctx.input };
}

export async function callHttpTool(ctx: ToolCallContext): Promise<ToolCallOutcome> {
  const config = HttpToolConfigSchema.parse(ctx.tool.config);
  const scope = templateScope(ctx);
  const render = (template: string) => renderTemplate(template, scope);
  const rendered = (await render(config.url)).trim();
  let url: URL;
  try {
    url = new URL(rendered);
  } catch {
    throw new NodeError("tool_error", `The tool's URL "${rendered}" is not a valid URL.`);
  }
  for (const pair of config.query) {
    const key = (await render(pair.key)).trim();
    const value = await render(pair.value);
    if (key && value !== "") url.searchParams.append(key, value);
  }
  const headers: Record<string, string> = {};
  for (const pair of config.headers) {
    const key = (await render(pair.key)).trim();
    if (key) headers[key] = await renderWithSecrets(pair.value, render, (name) => ctx.secrets.resolve(name));
  }
  let body: string | undefined;
  if (config.bodyMode === "input") body = JSON.stringify(ctx.input);
  if (config.bodyMode === "template") {
    body = await render(config.body);
    try {
      JSON.parse(body);
    } catch (error) {
      throw new NodeError("tool_error", `The tool's JSON body is not valid JSON after rendering: ${(error as Error).message}`);
    }
  }
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  const request: ToolHttpRequest = { method: config.method, url, headers, body, timeoutMs: config.timeoutMs, maxResponseBytes: config.maxResponseBytes };
  await applyAuth(ctx, config.auth, request);
  return sendToolRequest(ctx, request, config.response);
}
