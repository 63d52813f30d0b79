import { z } from "zod";

/**
 * MCP server sources: what a developer registers (stdio command or Streamable HTTP URL), stored
 * in `ToolSource.config` (kind "mcp"), and what the browser sees. Isomorphic: no server imports.
 *
 * Values that may carry credentials (stdio env values, HTTP header values) are either plain text
 * or refer to a workspace secret by name: `{ secret: "NAME" }`, or `{{ secrets.NAME }}` inside a
 * header string ("Bearer {{ secrets.API_TOKEN }}"). Only the names are stored here.
 */

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const SECRET_TEMPLATE = /\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]{0,63})\s*\}\}/g;

export const SecretRefSchema = z.object({ secret: z.string().regex(SECRET_NAME, "A secret name such as API_TOKEN") }).strict();
export const ConfigValueSchema = z.union([z.string().max(8192), SecretRefSchema]);
export type ConfigValue = z.infer<typeof ConfigValueSchema>;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
/** Headers the transport owns: a user value would break the protocol or smuggle a second request. */
const RESERVED_HEADERS = new Set(["host", "content-length", "content-type", "accept", "connection", "transfer-encoding", "mcp-session-id", "mcp-protocol-version"]);

export const McpStdioConfigSchema = z.object({
  transport: z.literal("stdio"),
  command: z.string().trim().min(1, "Command is required").max(1024),
  args: z.array(z.string().max(4096)).max(64).default([]),
  /** The server's whole environment (plus PATH/HOME and a few other non-secret basics): nothing of the worker's own leaks in. */
  env: z
    .record(z.string().regex(ENV_NAME, "Environment variable names are letters, digits and _"), ConfigValueSchema)
    .default({})
    .refine((env) => Object.keys(env).length <= 64, "At most 64 environment variables"),
});

export const McpHttpConfigSchema = z.object({
  transport: z.literal("http"),
  url: z.string().trim().pipe(z.url({ protocol: /^https?$/, error: "URL must be a full http(s) URL such as https://mcp.example.com/mcp" })),
  headers: z
    .record(z.string().regex(HEADER_NAME, "Not a valid header name"), ConfigValueSchema)
    .default({})
    .refine((headers) => Object.keys(headers).every((name) => !RESERVED_HEADERS.has(name.toLowerCase())), "Content-Type, Accept, Host and the MCP session headers are set by Weft")
    .refine((headers) => Object.keys(headers).length <= 32, "At most 32 headers"),
});

export const McpSourceConfigSchema = z.discriminatedUnion("transport", [McpStdioConfigSchema, McpHttpConfigSchema]);
export type McpSourceConfig = z.infer<typeof McpSourceConfigSchema>;
export type McpStdioConfig = z.infer<typeof McpStdioConfigSchema>;
export type McpHttpConfig = z.infer<typeof McpHttpConfigSchema>;

/** Tool names are what the model calls: `<prefix>_<server tool name>`, [A-Za-z0-9_-], at most 64. */
export const TOOL_PREFIX = /^[A-Za-z0-9_-]{1,32}$/;

export const McpSourceNameSchema = z.string().trim().min(1, "Name is required").max(80, "Name is at most 80 characters");

export const CreateMcpSourceSchema = z.object({
  name: McpSourceNameSchema,
  /** Prefix of the cached tools' names; defaults to the source name made name-safe. */
  toolPrefix: z.string().trim().regex(TOOL_PREFIX, "Letters, digits, _ and -, at most 32").optional(),
  config: McpSourceConfigSchema,
});
export type CreateMcpSourceInput = z.input<typeof CreateMcpSourceSchema>;

export const UpdateMcpSourceSchema = z.object({
  name: McpSourceNameSchema.optional(),
  config: McpSourceConfigSchema.optional(),
});
export type UpdateMcpSourceInput = z.input<typeof UpdateMcpSourceSchema>;

/** `Tool.config` of an MCP tool: which tool of the source's server it calls. */
export const McpToolConfigSchema = z.object({ toolName: z.string().min(1) });
export type McpToolConfig = z.infer<typeof McpToolConfigSchema>;

/** Stored `ToolSource.config`: the transport config plus the name prefix chosen at registration. */
export const StoredMcpConfigSchema = z.object({ server: McpSourceConfigSchema, toolPrefix: z.string().regex(TOOL_PREFIX) });
export type StoredMcpConfig = z.infer<typeof StoredMcpConfigSchema>;

/** Where the server stands, as far as this web process knows (see docs/mcp.md on processes). */
export type McpStatus = "never_connected" | "connected" | "idle" | "error";

export interface McpToolView {
  id: string;
  name: string;
  toolName: string;
  description: string;
  inputSchema: Record<string, unknown>;
  enabled: boolean;
}

export interface McpSourceView {
  id: string;
  name: string;
  toolPrefix: string;
  config: McpSourceConfig;
  status: McpStatus;
  lastSyncedAt: string | null;
  lastError: string | null;
  tools: McpToolView[];
  createdAt: string;
  updatedAt: string;
}

export interface McpSyncResult {
  ok: boolean;
  message: string;
  /** Tools cached (created or updated) by this sync. */
  tools: McpToolView[];
  /** Server tools that could not be cached, with the reason (a name taken by another tool). */
  skipped: { toolName: string; reason: string }[];
  removed: number;
  durationMs: number;
}

/** A name-safe prefix from a display name ("Orders API" → "orders_api"). */
export function defaultToolPrefix(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 32);
  return slug || "mcp";
}

/** The registry name of a server tool: prefix + "_" + the tool's own name, made name-safe and capped at 64. */
export function registryToolName(prefix: string, toolName: string): string {
  const safe = toolName.replace(/[^A-Za-z0-9_-]+/g, "_");
  return `${prefix}_${safe}`.slice(0, 64);
}

/** Names of the secrets a config refers to (for the UI and for resolving). */
export function secretNamesOf(config: McpSourceConfig): string[] {
  const values = config.transport === "stdio" ? Object.values(config.env) : Object.values(config.headers);
  const names = new Set<string>();
  for (const value of values) {
    if (typeof value !== "string") names.add(value.secret);
    else for (const match of value.matchAll(SECRET_TEMPLATE)) names.add(match[1]!);
  }
  return [...names];
}
