import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ListRootsRequestSchema, type ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";

/**
 * What Weft's MCP client offers servers (declared at `initialize`, so servers that need a feature
 * show their tools): `roots` (the source's configured roots; none by default). Progress
 * notifications need no capability: a call asks for them with a progress token (call.ts).
 */
export const CLIENT_CAPABILITIES: ClientCapabilities = { roots: { listChanged: false } };

export interface McpRoot {
  uri: string;
  name?: string;
}

export interface ClientFeatures {
  /** What `roots/list` answers: the source's roots (ToolSource config `roots`), none by default. */
  roots: McpRoot[];
}

export function installClientFeatures(client: Client, features: ClientFeatures | undefined): void {
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: features?.roots ?? [] }));
}
