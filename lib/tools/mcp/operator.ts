import { readFileSync } from "node:fs";
import { env } from "@/lib/env";
import { logger } from "@/lib/log";
import { type OperatorStdioServer, parseOperatorStdioServers } from "./operator-schema";

/**
 * The stdio MCP servers this instance allows: WEFT_MCP_STDIO_SERVERS plus the file named by
 * WEFT_MCP_STDIO_CONFIG. A problem with the list (unreadable file, invalid JSON, an id in both)
 * turns stdio off rather than guessing, and is shown to developers as the reason.
 */

export interface StdioCatalogue {
  servers: OperatorStdioServer[];
  /** Why stdio servers are unavailable although the operator configured some, else null. */
  problem: string | null;
}

export interface CatalogueSettings {
  inline: OperatorStdioServer[];
  file?: string;
}

function readConfigFile(file: string): OperatorStdioServer[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`WEFT_MCP_STDIO_CONFIG (${file}) cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseOperatorStdioServers(text, `WEFT_MCP_STDIO_CONFIG (${file})`);
}

/** Builds the catalogue from explicit settings (tests) or the environment. */
export function loadStdioCatalogue(settings: CatalogueSettings): StdioCatalogue {
  try {
    const servers = [...settings.inline, ...(settings.file ? readConfigFile(settings.file) : [])];
    const ids = servers.map((server) => server.id);
    const twice = ids.find((id, index) => ids.indexOf(id) !== index);
    if (twice) throw new Error(`The stdio MCP server id "${twice}" is listed both in WEFT_MCP_STDIO_SERVERS and in WEFT_MCP_STDIO_CONFIG.`);
    return { servers, problem: null };
  } catch (error) {
    return { servers: [], problem: error instanceof Error ? error.message : String(error) };
  }
}

// Read once per process: the operator changes the list by restarting Weft, like any other setting.
let cached: StdioCatalogue | undefined;

/** This process's catalogue (from the environment, read once). */
export function stdioCatalogue(): StdioCatalogue {
  if (!cached) {
    cached = loadStdioCatalogue({ inline: env().WEFT_MCP_STDIO_SERVERS, file: env().WEFT_MCP_STDIO_CONFIG });
    // The operator reads logs, developers read the Tools page: both learn why stdio is off.
    if (cached.problem) logger.warn({ problem: cached.problem }, "stdio MCP servers are off: the operator's list is unusable");
  }
  return cached;
}
