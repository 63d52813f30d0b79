import { z } from "zod";
import { ENV_NAME, STDIO_SERVER_ID } from "./operator-schema";

/**
 * MCP server sources: what a developer registers (an operator-allowed stdio server or a Streamable HTTP URL), stored
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

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
/** Headers the transport owns: a user value would break the protocol or smuggle a second request. */
const RESERVED_HEADERS = new Set(["host", "content-length", "content-type", "accept", "connection", "transfer-encoding", "mcp-session-id", "mcp-protocol-version"]);

const envValues = z
  .record(z.string().regex(ENV_NAME, "Environment variable names are letters, digits and _"), ConfigValueSchema)
  .default({})
  .refine((env) => Object.keys(env).length <= 64, "At most 64 environment variables");

/**
 * Roots the client offers the server (`roots/list`): none by default, so a server sees no part of
 * any file system unless a developer lists it. Only `file://` URIs, as the protocol defines them.
 */
export const McpRootsSchema = z
  .array(
    z.object({
      uri: z.string().trim().max(2048).regex(/^file:\/\/\S+$/, "A root is a file:// URI such as file:///srv/docs"),
      name: z.string().trim().max(120).optional(),
    }),
  )
  .max(32, "At most 32 roots");
export type McpRoots = z.infer<typeof McpRootsSchema>;

/**
 * Sampling (`sampling/createMessage`): off unless set. The server's requests are answered by this
 * model of the workspace's provider registry, through the same chat service as the LLM node, and
 * capped: `maxTokensPerRequest` clamps each request's maxTokens; `maxTokensPerCall` and
 * `maxTokensPerRun` bound what one tool call and one run may spend on it (tokens in and out).
 */
export const McpSamplingSchema = z.object({
  providerId: z.string().min(1, "Pick a model provider"),
  model: z.string().trim().min(1, "Pick a model").max(200),
  maxTokensPerRequest: z.number().int().min(1).max(100_000).default(1024),
  maxTokensPerCall: z.number().int().min(1).max(1_000_000).default(8_000),
  maxTokensPerRun: z.number().int().min(1).max(10_000_000).default(50_000),
});
export type McpSampling = z.infer<typeof McpSamplingSchema>;

/** What a source lets its server ask of Weft, beside roots (both off by default; docs/mcp.md). */
const serverRequests = {
  sampling: McpSamplingSchema.optional(),
  /** `elicitation/create` from a run becomes a Question wait held on the step (refused from the console). */
  elicitation: z.boolean().optional(),
};

export const FREE_COMMAND_REFUSED = "A workspace cannot choose the command of a stdio MCP server: pick one of the servers the operator allows (serverId).";
/** Present only to refuse a command or arguments with a message that says why (older clients still send them). */
const refusedField = z.never({ error: FREE_COMMAND_REFUSED }).optional();

/**
 * A stdio server is one of the operator's entries (WEFT_MCP_STDIO_SERVERS), by id; the workspace
 * fills only the variables that entry allows. The command and arguments are the operator's.
 */
export const McpStdioConfigSchema = z.object({
  transport: z.literal("stdio"),
  serverId: z.string().regex(STDIO_SERVER_ID, "Pick one of the stdio servers the operator allows"),
  /** Values of the entry's allowed variables; the server sees these, the operator's fixed ones, PATH and HOME, nothing else. */
  env: envValues,
  roots: McpRootsSchema.optional(),
  ...serverRequests,
  command: refusedField,
  args: refusedField,
});

/**
 * What stdio sources stored before the operator list existed: a command chosen by the workspace.
 * Still read (so the page can show and delete them), never started.
 */
export const LegacyStdioConfigSchema = z.object({
  transport: z.literal("stdio"),
  command: z.string(),
  args: z.array(z.string()).default([]),
  env: envValues,
});
export type LegacyStdioConfig = z.infer<typeof LegacyStdioConfigSchema>;

export const McpHttpConfigSchema = z.object({
  transport: z.literal("http"),
  url: z.string().trim().pipe(z.url({ protocol: /^https?$/, error: "URL must be a full http(s) URL such as https://mcp.example.com/mcp" })),
  headers: z
    .record(z.string().regex(HEADER_NAME, "Not a valid header name"), ConfigValueSchema)
    .default({})
    .refine((headers) => Object.keys(headers).every((name) => !RESERVED_HEADERS.has(name.toLowerCase())), "Content-Type, Accept, Host and the MCP session headers are set by Weft")
    .refine((headers) => Object.keys(headers).length <= 32, "At most 32 headers"),
  roots: McpRootsSchema.optional(),
  ...serverRequests,
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

/** PATCH /api/tool-sources/mcp/:id/tools/:toolId: the per-tool setting. */
export const UpdateMcpToolSchema = z.object({ requireApproval: z.boolean() }).strict();
export type UpdateMcpToolInput = z.infer<typeof UpdateMcpToolSchema>;

export const UpdateMcpSourceSchema = z.object({
  name: McpSourceNameSchema.optional(),
  config: McpSourceConfigSchema.optional(),
});
export type UpdateMcpSourceInput = z.input<typeof UpdateMcpSourceSchema>;

/** What the server says about a tool (MCP tool annotations): hints, not guarantees, shown to developers. */
export const McpToolAnnotationsSchema = z.object({
  title: z.string().max(200).optional(),
  readOnlyHint: z.boolean().optional(),
  destructiveHint: z.boolean().optional(),
  idempotentHint: z.boolean().optional(),
  openWorldHint: z.boolean().optional(),
});
export type McpToolAnnotations = z.infer<typeof McpToolAnnotationsSchema>;

/** `Tool.config` of an MCP tool: which tool of the source's server it calls, its annotations, and whether each call needs a person's approval. */
export const McpToolConfigSchema = z.object({
  toolName: z.string().min(1),
  annotations: McpToolAnnotationsSchema.optional(),
  /** Set by a developer (kept across refreshes): a Tool node or an Agent waits for a Human approval before each call. */
  requireApproval: z.boolean().optional(),
});
export type McpToolConfig = z.infer<typeof McpToolConfigSchema>;

/** Stored `ToolSource.config`: the transport config plus the name prefix chosen at registration. */
export const StoredMcpServerSchema = z.union([McpSourceConfigSchema, LegacyStdioConfigSchema]);
export type StoredMcpServer = z.infer<typeof StoredMcpServerSchema>;
export const StoredMcpConfigSchema = z.object({ server: StoredMcpServerSchema, toolPrefix: z.string().regex(TOOL_PREFIX) });
export type StoredMcpConfig = z.infer<typeof StoredMcpConfigSchema>;

/** Where the server stands: the last contact of any process, kept on the source (see docs/mcp.md, Status). */
export type McpStatus = "never_connected" | "connected" | "idle" | "error";

export interface McpToolView {
  id: string;
  name: string;
  toolName: string;
  description: string;
  inputSchema: Record<string, unknown>;
  enabled: boolean;
  annotations: McpToolAnnotations;
  requireApproval: boolean;
}

export interface McpSourceView {
  id: string;
  name: string;
  toolPrefix: string;
  config: StoredMcpServer;
  status: McpStatus;
  /** A client of this source is open in the web process that answered (diagnostics; workers have their own). */
  liveHere: boolean;
  /** The transport of the last connection: HTTP sources fall back from Streamable HTTP to the legacy HTTP+SSE. */
  transport: "stdio" | "streamable_http" | "sse" | null;
  lastSyncedAt: string | null;
  /** The last successful contact (connect or answered call) from any process. */
  lastConnectedAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  tools: McpToolView[];
  createdAt: string;
  updatedAt: string;
}

/** A stdio server of the operator's list as developers see it: no command, no paths. */
export interface McpStdioChoice {
  id: string;
  label: string;
  /** Variables a source may fill. */
  allowedEnv: string[];
}

/** What the register form offers for stdio (GET /api/tool-sources/mcp → `stdio`). */
export interface McpStdioOptions {
  /** False when the operator allows no stdio server (the default). */
  enabled: boolean;
  servers: McpStdioChoice[];
  /** Why stdio is off although the operator configured a list (a broken config file…), else null. */
  problem: string | null;
}

/** A legacy stdio source: its command was chosen by a workspace, so it never starts again. */
export function isLegacyStdio(config: StoredMcpServer): config is LegacyStdioConfig {
  return config.transport === "stdio" && "command" in config && typeof config.command === "string";
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
export function secretNamesOf(config: StoredMcpServer): string[] {
  const values = config.transport === "stdio" ? Object.values(config.env) : Object.values(config.headers);
  const names = new Set<string>();
  for (const value of values) {
    if (typeof value !== "string") names.add(value.secret);
    else for (const match of value.matchAll(SECRET_TEMPLATE)) names.add(match[1]!);
  }
  return [...names];
}
