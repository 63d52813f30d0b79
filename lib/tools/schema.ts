import { z } from "zod";
import { MAX_INT32 } from "@/lib/engine/limits";
import { HTTP_METHODS } from "@/lib/nodes/http/definition";

/**
 * The tool registry's shapes, isomorphic (the Tools page, the routes and the public API use them).
 * Tool kinds are declared once; `lib/tools/kinds.ts` maps each to its caller with `satisfies`.
 */

export const TOOL_KINDS = ["http", "openapi", "code", "mcp", "workflow"] as const;
export type ToolKind = (typeof TOOL_KINDS)[number];
/** Kinds created one by one from a form or the API; openapi tools come from an import, mcp tools from a server. */
export const EDITABLE_KINDS = ["http", "code", "workflow"] as const;
export type EditableKind = (typeof EDITABLE_KINDS)[number];

/** What a model sees as the function name: unique per workspace. */
export const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const ToolNameSchema = z.string().trim().regex(TOOL_NAME, "Use 1–64 letters, digits, _ or -, e.g. get_weather");

export const TOOL_LIMITS = {
  defaultTimeoutMs: 30_000,
  maxTimeoutMs: 5 * 60_000,
  defaultResponseBytes: 512 * 1024,
  maxResponseBytes: 1024 * 1024,
  maxSchemaBytes: 200_000,
  maxDescriptionChars: 2_000,
  /** A workflow tool waits at most this long for its run. */
  maxWorkflowTimeoutMs: 10 * 60_000,
  /** A workflow tool's run may itself call workflow tools down to this depth (then the call fails). */
  maxWorkflowDepth: 5,
} as const;

const SecretNameRef = z.string().trim().regex(/^([A-Za-z_][A-Za-z0-9_]{0,63})?$/, "A secret name such as API_TOKEN");

/**
 * Authentication by secret reference: the secret's name, never its value. An empty secret means
 * "not configured yet" (an OpenAPI import detected the scheme); calls then fail with a clear message.
 */
export const ToolAuthSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("none") }),
  z.object({ type: z.literal("bearer"), secret: SecretNameRef }),
  z.object({ type: z.literal("apiKey"), in: z.enum(["header", "query"]), name: z.string().trim().min(1).max(200), secret: SecretNameRef }),
  z.object({ type: z.literal("basic"), username: z.string().max(500), secret: SecretNameRef }),
]);
export type ToolAuth = z.infer<typeof ToolAuthSchema>;

export const TemplatePairSchema = z.object({ key: z.string().max(1_000), value: z.string().max(10_000) });

/** How a response becomes the tool's output: the parsed body, a JSON path into it, or a JSONata expression. */
export const ResponseMappingSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("body") }),
  z.object({ mode: z.literal("path"), path: z.string().trim().min(1).max(1_000) }),
  z.object({ mode: z.literal("jsonata"), expression: z.string().trim().min(1).max(10_000) }),
]);
export type ResponseMapping = z.infer<typeof ResponseMappingSchema>;

const timeoutMs = z.number().int().min(100).max(TOOL_LIMITS.maxTimeoutMs).default(TOOL_LIMITS.defaultTimeoutMs);
const maxResponseBytes = z.number().int().min(1).max(TOOL_LIMITS.maxResponseBytes).default(TOOL_LIMITS.defaultResponseBytes);

/** HTTP tool: templates are rendered with the tool input as scope (`{{ city }}` or `{{ input.city }}`). */
export const HttpToolConfigSchema = z.object({
  method: z.enum(HTTP_METHODS).default("GET"),
  url: z.string().trim().min(1, "Enter the URL").max(10_000),
  headers: z.array(TemplatePairSchema).max(50).default([]),
  query: z.array(TemplatePairSchema).max(50).default([]),
  /** none; input: the whole tool input as JSON; template: `body` rendered, must be JSON. */
  bodyMode: z.enum(["none", "input", "template"]).default("none"),
  body: z.string().max(100_000).default(""),
  auth: ToolAuthSchema.default({ type: "none" }),
  timeoutMs,
  maxResponseBytes,
  response: ResponseMappingSchema.default({ mode: "body" }),
});
export type HttpToolConfig = z.infer<typeof HttpToolConfigSchema>;

export const OpenApiParamSchema = z.object({ name: z.string(), in: z.enum(["path", "query", "header"]), required: z.boolean() });

/** One imported operation; servers and auth live on the ToolSource (shared by all its operations). */
export const OpenApiToolConfigSchema = z.object({
  /** "GET /pets/{petId}": identifies the operation across re-imports. */
  operation: z.string(),
  method: z.enum(HTTP_METHODS),
  path: z.string(),
  parameters: z.array(OpenApiParamSchema),
  /** Input property that carries the request body, when the operation has one. */
  bodyProperty: z.string().nullable(),
  bodyContentType: z.string().nullable(),
  timeoutMs,
  maxResponseBytes,
});
export type OpenApiToolConfig = z.infer<typeof OpenApiToolConfigSchema>;

export const OpenApiSourceConfigSchema = z.object({
  baseUrl: z.string().max(2_000),
  servers: z.array(z.string()),
  auth: ToolAuthSchema,
  /** What the document declared (for display): scheme name → summary. */
  securitySchemes: z.record(z.string(), z.string()),
  title: z.string(),
  version: z.string(),
  /** Where the document was fetched from, when it was imported by URL. */
  documentUrl: z.string().optional(),
});
export type OpenApiSourceConfig = z.infer<typeof OpenApiSourceConfigSchema>;

export const CodeToolConfigSchema = z.object({
  /** A function body (gets `inputs`, returns an object) or a script defining `function main(inputs)`. */
  code: z.string().min(1, "Enter the code").max(100_000),
  timeoutMs: z.number().int().min(10).max(30_000).default(1_000),
  memoryMb: z.number().int().min(8).max(256).default(64),
});
export type CodeToolConfig = z.infer<typeof CodeToolConfigSchema>;

export const WorkflowToolConfigSchema = z.object({
  workflowId: z.string().min(1, "Choose a workflow"),
  /** A pinned published version; the latest when absent. */
  version: z.number().int().min(1).max(MAX_INT32, "version is out of range").optional(),
  timeoutMs: z.number().int().min(1_000).max(TOOL_LIMITS.maxWorkflowTimeoutMs).default(60_000),
});
export type WorkflowToolConfig = z.infer<typeof WorkflowToolConfigSchema>;

const JsonSchemaObject = z.record(z.string(), z.unknown());

const toolBase = {
  name: ToolNameSchema,
  description: z.string().trim().max(TOOL_LIMITS.maxDescriptionChars).default(""),
  enabled: z.boolean().default(true),
  outputSchema: JsonSchemaObject.nullable().optional(),
};

/** Creating a tool; a workflow tool's input schema comes from the workflow's Start inputs. */
export const CreateToolSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("http"), ...toolBase, inputSchema: JsonSchemaObject, config: HttpToolConfigSchema }),
  z.object({ kind: z.literal("code"), ...toolBase, inputSchema: JsonSchemaObject, config: CodeToolConfigSchema }),
  z.object({ kind: z.literal("workflow"), ...toolBase, inputSchema: JsonSchemaObject.optional(), config: WorkflowToolConfigSchema }),
]);
export type CreateToolInput = z.input<typeof CreateToolSchema>;

/** Any field may change; `config` is checked against the tool's own kind. Every edit bumps the version. */
export const UpdateToolSchema = z.object({
  name: ToolNameSchema.optional(),
  description: z.string().trim().max(TOOL_LIMITS.maxDescriptionChars).optional(),
  enabled: z.boolean().optional(),
  inputSchema: JsonSchemaObject.optional(),
  outputSchema: JsonSchemaObject.nullable().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});
export type UpdateToolInput = z.input<typeof UpdateToolSchema>;

/** A tool as the browser and the API see it (config holds secret names, never values). */
export interface ToolView {
  id: string;
  kind: ToolKind;
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown> | null;
  config: Record<string, unknown>;
  version: number;
  enabled: boolean;
  sourceId: string | null;
  sourceName: string | null;
  ownerId: string | null;
  ownerName: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The console's request: a JSON input for one call. */
export const TestToolSchema = z.object({ input: z.record(z.string(), z.unknown()).default({}) });
