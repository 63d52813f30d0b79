import { NodeError } from "@/lib/engine/errors";
import type { ToolCallContext, ToolCallOutcome } from "../context";
import { applyAuth, sendToolRequest, type ToolHttpRequest } from "../http-call";
import { encodeBody, text } from "../openapi/bodies";
import { OpenApiSourceConfigSchema, OpenApiToolConfigSchema } from "../schema";

/**
 * The `openapi` kind: the operation's request built from the input: path parameters encoded into
 * the path, query parameters (arrays repeated), header parameters, and the body property in the
 * operation's declared encoding (openapi/bodies.ts), against the source's base URL with the source's auth.
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
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  const payload = config.bodyProperty ? ctx.input[config.bodyProperty] : undefined;
  if (payload !== undefined) {
    try {
      const encoded = await encodeBody(config.bodyContentType, payload);
      body = encoded.body;
      headers["content-type"] = encoded.contentType;
    } catch (error) {
      throw new NodeError("tool_error", `The body cannot be sent as ${config.bodyContentType}: ${(error as Error).message}`);
    }
  }
  const request: ToolHttpRequest = { method: config.method, url, headers, body, timeoutMs: config.timeoutMs, maxResponseBytes: config.maxResponseBytes };
  await applyAuth(ctx, settings.auth, request);
  return sendToolRequest(ctx, request);
}
