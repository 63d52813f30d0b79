import { NodeError } from "@/lib/engine/errors";
import type { ToolCallContext, ToolCallOutcome } from "../context";
import { applyAuth, sendToolRequest, type ToolHttpRequest } from "../http-call";
import { OpenApiSourceConfigSchema, OpenApiToolConfigSchema } from "../schema";

/** Scalars as the wire wants them; objects and arrays of objects as JSON. */
function text(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
}

/**
 * The `openapi` kind: the operation's request built from the input: path parameters encoded into
 * the path, query parameters (arrays repeated), header parameters, and the body property as JSON
 * (or URL-encoded form), against the source's base URL with the source's auth.
 */
export async function callOpenApiTool(ctx: ToolCallContext): Promise<ToolCallOutcome> {
  const config = OpenApiToolConfigSchema.parse(ctx.tool.config);
  const source = ctx.tool.sourceId ? await ctx.db.toolSource.findFirst({ where: { id: ctx.tool.sourceId, workspaceId: ctx.workspaceId } }) : null;
  if (!source) throw new NodeError("tool_unavailable", `The OpenAPI source of ${ctx.tool.name} is gone; import the document again.`, { retryable: false });
  const settings = OpenApiSourceConfigSchema.parse(source.config);
  if (!settings.baseUrl) throw new NodeError("tool_error", `The OpenAPI source ${source.name} has no server URL; set its base URL on the Tools page.`);

  let path = config.path;
  for (const param of config.parameters.filter((p) => p.in === "path")) {
    const value = ctx.input[param.name];
    if (value === undefined || value === null) throw new NodeError("tool_error", `The path parameter ${param.name} is missing.`);
    path = path.split(`{${param.name}}`).join(encodeURIComponent(text(value)));
  }
  let url: URL;
  try {
    url = new URL(`${settings.baseUrl.replace(/\/+$/, "")}${path.startsWith("/") ? path : `/${path}`}`);
  } catch {
    throw new NodeError("tool_error", `"${settings.baseUrl}${path}" is not a valid URL; check the source's base URL.`);
  }
  const headers: Record<string, string> = {};
  for (const param of config.parameters) {
    const value = ctx.input[param.name];
    if (value === undefined || value === null || param.in === "path") continue;
    if (param.in === "query") {
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(param.name, text(item));
    } else {
      headers[param.name] = text(value);
    }
  }
  let body: string | undefined;
  const payload = config.bodyProperty ? ctx.input[config.bodyProperty] : undefined;
  if (payload !== undefined) {
    if (config.bodyContentType === "application/x-www-form-urlencoded" && typeof payload === "object" && payload !== null) {
      body = new URLSearchParams(Object.entries(payload).map(([k, v]) => [k, text(v)])).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    } else {
      body = JSON.stringify(payload);
      headers["content-type"] = "application/json";
    }
  }
  const request: ToolHttpRequest = { method: config.method, url, headers, body, timeoutMs: config.timeoutMs, maxResponseBytes: config.maxResponseBytes };
  await applyAuth(ctx, settings.auth, request);
  return sendToolRequest(ctx, request);
}
