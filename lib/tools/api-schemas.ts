import { z } from "zod";
import { apiSchemas } from "@/lib/api/schemas";
import { CodeToolConfigSchema, HttpToolConfigSchema, TOOL_KINDS, ToolAuthSchema, ToolNameSchema, TOOL_LIMITS } from "./schema";

/**
 * The public API's tool shapes (/api/v1/tools), registered as OpenAPI components. Registering
 * through the API covers `http` and `code` tools and OpenAPI imports; workflow and MCP tools are
 * set up in the studio.
 */

const IsoDate = z.string().meta({ format: "date-time" });
const JsonSchemaObject = z.record(z.string(), z.unknown()).describe("A JSON Schema object (type: object)");

export const ApiToolSchema = z
  .object({
    id: z.string(),
    kind: z.enum(TOOL_KINDS),
    name: z.string(),
    description: z.string(),
    inputSchema: JsonSchemaObject,
    outputSchema: JsonSchemaObject.nullable(),
    version: z.number().int(),
    enabled: z.boolean(),
    sourceId: z.string().nullable(),
    sourceName: z.string().nullable(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .register(apiSchemas, { id: "Tool", description: "A registered tool (its kind-specific settings are not part of the API view)." });
export type ApiTool = z.infer<typeof ApiToolSchema>;

export const ToolListSchema = z.object({ tools: z.array(ApiToolSchema) }).register(apiSchemas, { id: "ToolList" });

const registerBase = {
  name: ToolNameSchema.describe("Unique per workspace: 1–64 letters, digits, _ or -"),
  description: z.string().trim().max(TOOL_LIMITS.maxDescriptionChars).default(""),
  enabled: z.boolean().default(true),
  inputSchema: JsonSchemaObject,
  outputSchema: JsonSchemaObject.nullable().optional(),
};

export const RegisterToolRequestSchema = z
  .discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("http"), ...registerBase, config: HttpToolConfigSchema }),
    z.strictObject({ kind: z.literal("code"), ...registerBase, config: CodeToolConfigSchema }),
  ])
  .register(apiSchemas, { id: "RegisterToolRequest", description: "An HTTP tool (URL/header/body templates over the input, auth by secret name) or a code tool (JavaScript in the sandbox)." });
export type RegisterToolRequest = z.input<typeof RegisterToolRequestSchema>;

export const OpenApiImportRequestSchema = z
  .strictObject({
    text: z.string().min(1).optional().describe("The OpenAPI 3.x or Swagger 2.0 document, JSON or YAML (or send it as the multipart file part `document`)"),
    url: z.url({ protocol: /^https?$/ }).max(2_000).optional().describe("Where the server fetches the document (SSRF-guarded; private addresses only when on the workspace's network allow-list)"),
    sourceName: z.string().trim().min(1).max(80).optional().describe("Importing again under the same name updates that source's tools"),
    operations: z.array(z.string()).optional().describe('Operation keys such as "GET /pets/{petId}"; all operations when omitted'),
    baseUrl: z.string().trim().max(2_000).optional().describe("Overrides the document's first server URL"),
    auth: ToolAuthSchema.optional().describe("Auth by secret name for every operation; mapped from the document's security schemes when omitted"),
  })
  .refine((body) => (body.text === undefined) !== (body.url === undefined), { message: "Give the document either as text or by URL", path: ["text"] })
  .register(apiSchemas, { id: "OpenApiImportRequest" });
export type OpenApiImportRequest = z.input<typeof OpenApiImportRequestSchema>;

export const OpenApiImportResultSchema = z
  .object({
    sourceId: z.string(),
    sourceName: z.string(),
    created: z.number().int(),
    updated: z.number().int(),
    removed: z.number().int(),
    tools: z.array(z.object({ id: z.string(), name: z.string(), operation: z.string() })),
    skipped: z.array(z.object({ key: z.string(), method: z.string(), path: z.string(), reason: z.string() })).describe("Chosen operations that were not imported, with the reason"),
  })
  .register(apiSchemas, { id: "OpenApiImportResult" });
export type OpenApiImportResult = z.infer<typeof OpenApiImportResultSchema>;

/** The API view: no kind-specific config (it may name secrets and internal URLs). */
export function toApiTool(view: { id: string; kind: string; name: string; description: string; inputSchema: Record<string, unknown>; outputSchema: Record<string, unknown> | null; version: number; enabled: boolean; sourceId: string | null; sourceName: string | null; createdAt: string; updatedAt: string }): ApiTool {
  return {
    id: view.id,
    kind: view.kind as ApiTool["kind"],
    name: view.name,
    description: view.description,
    inputSchema: view.inputSchema,
    outputSchema: view.outputSchema,
    version: view.version,
    enabled: view.enabled,
    sourceId: view.sourceId,
    sourceName: view.sourceName,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  };
}
