import { z } from "zod";

/**
 * The operator's list of stdio MCP servers (WEFT_MCP_STDIO_SERVERS, WEFT_MCP_STDIO_CONFIG). A stdio
 * server runs a program on the web and worker hosts, so which programs exist is the operator's
 * decision: a workspace only picks an entry by id and fills the variables the entry names.
 * Isomorphic (zod only): lib/env.ts validates the environment variable with it at boot.
 */

export const STDIO_SERVER_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

const envName = z.string().regex(ENV_NAME, "Environment variable names are letters, digits and _");

export const OperatorStdioServerSchema = z
  .object({
    /** What a workspace's source stores (`serverId`): lowercase letters, digits, _ and -. */
    id: z.string().regex(STDIO_SERVER_ID, "An id is lowercase letters, digits, _ and - (at most 64)"),
    /** What developers see in the picker. */
    label: z.string().trim().min(1).max(120),
    /** The executable: an absolute path, or a name looked up on the server's PATH. */
    command: z.string().min(1).max(4096),
    /** Fixed arguments; a workspace cannot add any. */
    args: z.array(z.string().max(4096)).max(64).default([]),
    /** Fixed variables set by the operator (PATH, a cache directory…); a workspace cannot change them unless listed in allowedEnv. */
    env: z.record(envName, z.string().max(8192)).default({}),
    /** Names of the variables a workspace may fill (plain text or a secret reference). */
    allowedEnv: z.array(envName).max(64).default([]),
  })
  .strict();
export type OperatorStdioServer = z.infer<typeof OperatorStdioServerSchema>;

export const OperatorStdioServerListSchema = z
  .array(OperatorStdioServerSchema)
  .max(200)
  .superRefine((servers, ctx) => {
    const seen = new Set<string>();
    for (const server of servers) {
      if (seen.has(server.id)) ctx.addIssue({ code: "custom", message: `The id "${server.id}" is listed twice` });
      seen.add(server.id);
    }
  });

/** Parses an operator list (JSON text); throws an Error naming `origin` and every problem. */
export function parseOperatorStdioServers(text: string, origin: string): OperatorStdioServer[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // Only where it broke, not the parser's quote of the text: the list may hold the operator's fixed values.
    const where = /at position \d+(?: \(line \d+ column \d+\))?/.exec(error instanceof Error ? error.message : "")?.[0];
    throw new Error(`${origin} is not valid JSON${where ? ` (${where})` : ""}.`);
  }
  const parsed = OperatorStdioServerListSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.map(String).join(".") || "(list)"}: ${issue.message}`);
    throw new Error(`${origin} is not a valid list of stdio MCP servers: ${issues.join("; ")}`);
  }
  return parsed.data;
}
