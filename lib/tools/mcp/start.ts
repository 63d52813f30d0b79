import { createHash } from "node:crypto";
import type { Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import { env } from "@/lib/env";
import { getNetworkAllowList } from "@/lib/net/workspace-allow-list";
import type { SecretGrant } from "@/lib/secrets/egress";
import { ANY_HOST } from "@/lib/secrets/hosts";
import { assertGrantsAllowed, decryptRow, findSecretRow } from "@/lib/secrets/resolver";
import { openConnection, type McpConnection, type ResolvedServer } from "./connection";
import { stdioCatalogue, type StdioCatalogue } from "./operator";
import type { PoolKey } from "./pool";
import { markConnected, markFailed } from "./status";
import type { ClientFeatures } from "./client-features";
import { CallScope } from "./call-scope";
import { type ConfigValue, SECRET_TEMPLATE, StoredMcpConfigSchema, type StoredMcpConfig, type StoredMcpServer } from "./schema";
import { allowedEntry, launchEnv, sourceWorkdir } from "./stdio-launch";

/** How an MCP source is started: secrets resolved at start time, the pool key from its config. */

export interface StartDeps {
  /** Private/loopback HTTP servers allowed (defaults to WEFT_ALLOW_PRIVATE_NETWORK). */
  allowPrivate?: boolean;
  /** initialize handshake timeout. */
  connectTimeoutMs?: number;
  /** The operator's stdio servers (defaults to WEFT_MCP_STDIO_SERVERS / WEFT_MCP_STDIO_CONFIG). */
  stdio?: StdioCatalogue;
  /** Where stdio servers get their working directories (defaults to WEFT_MCP_STDIO_DIR). */
  stdioDir?: string;
}

export interface McpSourceRow {
  id: string;
  workspaceId: string;
  name: string;
  config: unknown;
}

export function storedConfig(source: McpSourceRow): StoredMcpConfig {
  const parsed = StoredMcpConfigSchema.safeParse(source.config);
  if (!parsed.success) throw new NodeError("tool_unavailable", `The MCP server "${source.name}" has an invalid configuration; edit and save it again.`, { retryable: false });
  return parsed.data;
}

/** The pool key: a new config (command, URL, env, headers) gets a new client; secret rotation is picked up on the next start. */
export function poolKey(source: McpSourceRow, config: StoredMcpServer): PoolKey {
  return { sourceId: source.id, version: createHash("sha256").update(JSON.stringify(config)).digest("hex").slice(0, 16) };
}

async function resolveValues(db: Db, workspaceId: string, values: Record<string, ConfigValue>, grants: Map<string, SecretGrant>): Promise<Record<string, string>> {
  const secret = async (name: string) => {
    let grant = grants.get(name);
    if (!grant) {
      const row = await findSecretRow(db, workspaceId, name);
      grant = { name: row.name, value: decryptRow(row), allowedHosts: row.allowedHosts };
      grants.set(name, grant);
    }
    return grant.value;
  };
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== "string") {
      out[name] = await secret(value.secret);
      continue;
    }
    const names = [...value.matchAll(SECRET_TEMPLATE)].map((m) => m[1]!);
    const resolved = new Map<string, string>();
    for (const secretName of names) resolved.set(secretName, await secret(secretName));
    out[name] = value.replace(SECRET_TEMPLATE, (_, secretName: string) => resolved.get(secretName) ?? "");
  }
  return out;
}

/**
 * Secret hosts for MCP: an HTTP server's URL must be on each header secret's list; a stdio process
 * can send what it is given anywhere, so only secrets allowed to any host ("*") go into its env.
 */
function assertMcpSecretHosts(grants: readonly SecretGrant[], server: ResolvedServer): void {
  if (server.transport === "http") return assertGrantsAllowed(grants, new URL(server.url));
  const bounded = grants.find((g) => !g.allowedHosts.includes(ANY_HOST));
  if (bounded) {
    throw new NodeError(
      "secret_denied",
      `The secret ${bounded.name} may not be given to a stdio MCP server: a local process can send it anywhere, so only secrets allowed to any host (*) may be. Use an HTTP server, or allow * on the secret.`,
    );
  }
}

/**
 * A stdio source starts only as the operator's entry it names, with the variables that entry
 * allows, in a working directory of its own and an environment built from nothing (stdio-launch.ts).
 */
async function resolveStdio(db: Db, source: McpSourceRow, config: Extract<StoredMcpServer, { transport: "stdio" }>, grants: Map<string, SecretGrant>, deps: StartDeps): Promise<ResolvedServer> {
  const entry = allowedEntry(deps.stdio ?? stdioCatalogue(), config, source.name);
  const declared = await resolveValues(db, source.workspaceId, config.env, grants);
  const cwd = await sourceWorkdir(deps.stdioDir ?? env().WEFT_MCP_STDIO_DIR, source.id);
  return { transport: "stdio", command: entry.command, args: entry.args, env: launchEnv(entry, declared, cwd), cwd };
}

/** What the client offers the server, from the source's settings (legacy stdio sources never start). */
function clientFeatures(config: StoredMcpServer): ClientFeatures {
  const roots = "roots" in config && config.roots ? config.roots : [];
  const sampling = "sampling" in config && config.sampling !== undefined;
  const elicitation = "elicitation" in config && config.elicitation === true;
  return { roots, sampling, elicitation, calls: new CallScope(sampling || elicitation) };
}

/** Resolves the source's secret references (server only) into what the transport needs. */
export async function resolveServer(db: Db, source: McpSourceRow, config: StoredMcpServer, deps: StartDeps = {}): Promise<{ server: ResolvedServer; secrets: string[] }> {
  const grants = new Map<string, SecretGrant>();
  const server: ResolvedServer =
    config.transport === "stdio"
      ? await resolveStdio(db, source, config, grants, deps)
      : { transport: "http", url: config.url, headers: await resolveValues(db, source.workspaceId, config.headers, grants) };
  assertMcpSecretHosts([...grants.values()], server);
  return { server, secrets: [...grants.values()].map((g) => g.value) };
}

/**
 * Starts the source's server. A failure is written to `ToolSource.lastError` (so the Tools page
 * shows why workers cannot reach it), a success clears it.
 */
export async function startSource(db: Db, source: McpSourceRow, config: StoredMcpServer, deps: StartDeps = {}): Promise<McpConnection> {
  try {
    const { server, secrets } = await resolveServer(db, source, config, deps);
    const connection = await openConnection(server, {
      // An HTTP server on a private address is reachable when the operator allows private networks or an
      // admin allow-listed it (Settings → Network); read on every request, so removing an entry applies to open sessions too.
      network: { allowPrivate: deps.allowPrivate ?? env().WEFT_ALLOW_PRIVATE_NETWORK, allowList: () => getNetworkAllowList(db, source.workspaceId) },
      timeoutMs: deps.connectTimeoutMs ?? 30_000,
      secrets,
      features: clientFeatures(config),
    });
    await markConnected(db, source.id, connection.transport);
    return connection;
  } catch (error) {
    await markFailed(db, source.id, error instanceof Error ? error.message : String(error));
    throw error;
  }
}
