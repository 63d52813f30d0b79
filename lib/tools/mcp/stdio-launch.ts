import { chmod, lstat, mkdir } from "node:fs/promises";
import path from "node:path";
import { NodeError } from "@/lib/engine/errors";
import type { OperatorStdioServer } from "./operator-schema";
import type { StdioCatalogue } from "./operator";
import { isLegacyStdio, type McpStdioChoice, type McpStdioOptions, type StoredMcpServer } from "./schema";

/**
 * How an allowed stdio server is launched: the operator's command and arguments, an environment
 * built from nothing (a minimal PATH, HOME = its own directory, the operator's fixed variables, the
 * source's declared ones), and a working directory of its own. Nothing of the web or worker
 * process's environment is passed on.
 */

/** PATH of a stdio server unless its entry sets one: the directory of the Node running Weft (so `npx` and `node` work), then the system's. */
export function minimalPath(): string {
  return [path.dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(":");
}

const notAllowed = (sourceName: string, why: string) =>
  new NodeError("tool_unavailable", `The MCP server "${sourceName}" is not allowed by the operator: ${why}`, { retryable: false });

/** The operator's entry a stored stdio config names, or a refusal that says why it cannot start. */
export function allowedEntry(catalogue: StdioCatalogue, config: StoredMcpServer, sourceName: string): OperatorStdioServer {
  if (config.transport !== "stdio") throw new Error("allowedEntry is for stdio sources");
  if (isLegacyStdio(config)) {
    throw notAllowed(sourceName, `its command ("${config.command}") was chosen by a workspace. Change it to one of the stdio servers the operator allows, or delete it.`);
  }
  const entry = catalogue.servers.find((server) => server.id === config.serverId);
  if (!entry) {
    const off = catalogue.problem ?? "this instance allows no stdio servers (WEFT_MCP_STDIO_SERVERS).";
    throw notAllowed(sourceName, catalogue.servers.length ? `"${config.serverId}" is not in the operator's list of stdio servers.` : off);
  }
  const undeclared = Object.keys(config.env).filter((name) => !entry.allowedEnv.includes(name));
  if (undeclared.length) throw notAllowed(sourceName, `the variables ${undeclared.join(", ")} are not among those "${entry.label}" accepts (${entry.allowedEnv.join(", ") || "none"}).`);
  return entry;
}

/** The server's whole environment: PATH and HOME, then the operator's fixed values, then the source's. */
export function launchEnv(entry: OperatorStdioServer, declared: Record<string, string>, home: string): Record<string, string> {
  return { PATH: minimalPath(), HOME: home, ...entry.env, ...declared };
}

const SAFE_DIR_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The base directory must be a real directory of this user that others cannot write to: the
 * default lives in the shared temporary directory, where another local user could have planted it.
 */
async function assertOwnBaseDir(baseDir: string) {
  await mkdir(baseDir, { recursive: true, mode: 0o700 });
  const stat = await lstat(baseDir);
  const ours = typeof process.getuid !== "function" || stat.uid === process.getuid();
  if (!stat.isDirectory() || !ours || (stat.mode & 0o022) !== 0) {
    throw new Error(`WEFT_MCP_STDIO_DIR (${baseDir}) must be a directory owned by the Weft user and not writable by others.`);
  }
}

/** Creates (or tightens) `<baseDir>/<sourceId>`, mode 0700: the server's working directory and HOME. */
export async function sourceWorkdir(baseDir: string, sourceId: string): Promise<string> {
  if (!SAFE_DIR_NAME.test(sourceId)) throw new Error(`Unexpected MCP source id ${JSON.stringify(sourceId)}`);
  await assertOwnBaseDir(baseDir);
  const dir = path.join(baseDir, sourceId);
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  // mkdir leaves an existing directory's mode alone.
  await chmod(dir, 0o700);
  return dir;
}

/** The operator's list as developers see it (ids, labels, variable names; no commands or paths). */
export function stdioOptions(catalogue: StdioCatalogue): McpStdioOptions {
  const servers: McpStdioChoice[] = catalogue.servers.map(({ id, label, allowedEnv }) => ({ id, label, allowedEnv }));
  return { enabled: servers.length > 0, servers, problem: catalogue.problem };
}
