import http from "node:http";
import { Pool } from "undici";

/** A minimal JSON client over node:http with one keep-alive agent (no dependency). */
export interface HttpResult {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export function createClient(baseUrl: string, maxSockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const base = new URL(baseUrl);

  function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method,
          path,
          headers: {
            ...(payload !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  return { request, close: () => agent.destroy() };
}

export type HttpClient = ReturnType<typeof createClient>;

/** Waits until the server answers anything on `path`. */
export async function waitForServer(client: HttpClient, path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.request("GET", path);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * The load generator's client for the HTTP benchmarks: undici's Pool (the project's own
 * dependency), one keep-alive connection per concurrent caller, sending a body already turned into
 * JSON. It costs the 2-core machine a fraction of node:http's CPU per request, which the server
 * would otherwise share with it (`--client node` keeps the node:http client for comparison).
 */
export function createLoadClient(baseUrl: string, connections: number, kind: "undici" | "node") {
  if (kind === "node") {
    const client = createClient(baseUrl, connections);
    return { send: (path: string, json: string, headers: Record<string, string>) => client.request("POST", path, JSON.parse(json) as unknown, headers), close: client.close };
  }
  const pool = new Pool(baseUrl, { connections, pipelining: 1 });
  async function send(path: string, json: string, headers: Record<string, string>): Promise<HttpResult> {
    const response = await pool.request({ method: "POST", path, body: json, headers: { "content-type": "application/json", ...headers } });
    return { status: response.statusCode, body: await response.body.text(), headers: response.headers as http.IncomingHttpHeaders };
  }
  return { send, close: () => void pool.close() };
}

export type LoadClient = ReturnType<typeof createLoadClient>;
