import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { NodeError } from "@/lib/engine/errors";
import { createGuardedFetch, findSsrfError } from "@/lib/net/guarded-fetch";
import { assertSafeUrl, SsrfError } from "@/lib/net/ssrf";
import { refuseRedirectsWhen } from "@/lib/secrets/egress";
import { clientCapabilities, type ClientFeatures, installClientFeatures, noClientFeatures } from "./client-features";
import type { CallScope } from "./call-scope";
import { stderrSummary } from "./stderr";
import { IsolatedStdioTransport } from "./stdio-transport";

/**
 * One live MCP client: a spawned stdio server process or a Streamable HTTP session. Opened only
 * by the pool (pool.ts), which decides when; this module only knows how.
 */

/** A source's config with every secret reference replaced by its value (never stored, never logged). */
export type ResolvedServer =
  | { transport: "stdio"; command: string; args: string[]; env: Record<string, string>; cwd: string }
  | { transport: "http"; url: string; headers: Record<string, string> };

/** How a connection talks to its server: a stdio process, Streamable HTTP, or the legacy HTTP+SSE transport (fallback). */
export type McpTransportKind = "stdio" | "streamable_http" | "sse";

export interface McpConnection {
  client: Client;
  transport: McpTransportKind;
  /** The server process id (stdio), null for HTTP. */
  pid: number | null;
  /** Secret values this connection was opened with, for redacting anything it returns. */
  secrets: string[];
  /** The last lines the server wrote to stderr (stdio), for error messages. */
  stderrTail(): string;
  /** The calls on this connection: which one answers the server's sampling and elicitation requests. */
  calls: CallScope;
  /** Registers a callback for when the connection ends by itself (process exit, session lost). */
  onClosed(callback: () => void): void;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** What HTTP servers may be reached: the operator's switch and the workspace's allow-list (loaded per request). */
  network: { allowPrivate: boolean; allowList: () => Promise<readonly string[]> };
  /** How long the `initialize` handshake may take. */
  timeoutMs: number;
  secrets: string[];
  signal?: AbortSignal;
  /** Answers to the server's requests (roots, sampling, elicitation) for this connection. */
  features?: ClientFeatures;
}

const CLIENT_INFO = { name: "weft", version: "1.0.0" };
const STDERR_TAIL_CHARS = 2_000;

function newClient(features: ClientFeatures, onClosed: () => void): Client {
  const client = new Client(CLIENT_INFO, { capabilities: clientCapabilities(features) });
  installClientFeatures(client, features);
  client.onclose = onClosed;
  // Transport errors also surface on the pending request; keeping a handler stops them from being thrown as unhandled.
  client.onerror = () => undefined;
  return client;
}

/** Streamable HTTP refused the initial POST the way a server that only speaks HTTP+SSE does. */
function refusedByLegacyServer(error: unknown): boolean {
  return error instanceof StreamableHTTPError && (error.code === 404 || error.code === 405);
}

export async function openConnection(server: ResolvedServer, options: OpenOptions): Promise<McpConnection> {
  let tail = "";
  const closedCallbacks: (() => void)[] = [];
  let closed = false;
  const onClosed = () => {
    if (closed) return;
    closed = true;
    for (const callback of closedCallbacks) callback();
  };
  const features = options.features ?? noClientFeatures();
  let client = newClient(features, onClosed);
  const connect = (transport: Transport) => client.connect(transport, { timeout: options.timeoutMs, signal: options.signal });

  let transport: Transport;
  let kind: McpTransportKind;
  try {
    if (server.transport === "stdio") {
      kind = "stdio";
      // Exactly the environment start.ts built (see stdio-launch.ts), in the source's own directory.
      transport = new IsolatedStdioTransport({
        command: server.command,
        args: server.args,
        env: server.env,
        cwd: server.cwd,
        onStderr: (chunk) => {
          tail = (tail + chunk.toString("utf8")).slice(-STDERR_TAIL_CHARS);
        },
      });
      await connect(transport);
    } else {
      const http = await httpTransports(server, options);
      kind = "streamable_http";
      transport = http.streamable();
      try {
        await connect(transport);
      } catch (error) {
        if (!refusedByLegacyServer(error)) throw error;
        // An older server (HTTP+SSE, protocol 2024-11-05): a new client over the SDK's SSE transport.
        await client.close().catch(() => undefined);
        closed = false;
        client = newClient(features, onClosed);
        kind = "sse";
        transport = http.sse();
        await connect(transport);
      }
    }
  } catch (error) {
    await client.close().catch(() => undefined);
    throw connectError(error, server, tail);
  }

  const connected = transport;
  return {
    client,
    transport: kind,
    pid: connected instanceof IsolatedStdioTransport ? connected.pid : null,
    secrets: options.secrets,
    stderrTail: () => tail.trim(),
    calls: features.calls,
    onClosed: (callback) => {
      if (closed) callback();
      else closedCallbacks.push(callback);
    },
    close: async () => {
      closed = true;
      // HTTP: end the server-side session too (a no-op for stateless servers); stdio: close stdin, then signals.
      if (connected instanceof StreamableHTTPClientTransport && connected.sessionId) await connected.terminateSession().catch(() => undefined);
      await client.close().catch(() => undefined);
    },
  };
}

/**
 * Both HTTP transports of a server, built the same way: the URL checked by the SSRF guard up front,
 * every connection (and redirect hop) checked again at connect time against the current allow-list,
 * and no redirect followed when the headers carry secrets (it could carry them to another host).
 */
async function httpTransports(server: Extract<ResolvedServer, { transport: "http" }>, options: OpenOptions) {
  const { allowPrivate, allowList } = options.network;
  // The list is not read at all when the operator opened every private address anyway.
  const policy = async () => ({ allowPrivate, allowList: allowPrivate ? [] : await allowList() });
  let url: URL;
  try {
    url = await assertSafeUrl(server.url, await policy());
  } catch (error) {
    if (error instanceof SsrfError) throw new NodeError("network_blocked", error.message, { cause: error });
    throw error;
  }
  const fetch = refuseRedirectsWhen(options.secrets.length > 0, async (input, init) => createGuardedFetch(await policy())(input, init));
  const requestInit = { headers: server.headers };
  return {
    streamable: () => new StreamableHTTPClientTransport(url, { fetch, requestInit }),
    sse: () => new SSEClientTransport(url, { fetch, requestInit }),
  };
}

function connectError(error: unknown, server: ResolvedServer, stderr: string): NodeError {
  if (error instanceof NodeError) return error;
  const ssrf = findSsrfError(error);
  if (ssrf) return new NodeError("network_blocked", ssrf.message, { cause: error });
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (server.transport === "stdio") {
    if (code === "ENOENT") {
      return new NodeError("tool_unavailable", `The MCP server command "${server.command}" was not found on the worker (ENOENT).`, { retryable: false, cause: error });
    }
    const said = stderr.trim() ? ` It wrote: ${stderrSummary(stderr)}` : "";
    return new NodeError("tool_unavailable", `The MCP server "${server.command}" did not start: ${message}.${said}`, { cause: error });
  }
  const status = typeof code === "number" && code >= 400 ? ` (HTTP ${code})` : "";
  const retryable = !(typeof code === "number" && code >= 400 && code < 500 && code !== 408 && code !== 429);
  return new NodeError("tool_unavailable", `Could not connect to the MCP server at ${server.url}${status}: ${message}`, { retryable, cause: error });
}
