import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import type { ToolPort } from "@/lib/engine/ports";
import { createSecret } from "@/lib/secrets/service";
import { createToolPort } from "@/lib/tools/port";
import type { HttpToolConfig } from "@/lib/tools/schema";
import { createTool } from "@/lib/tools/service";
import { setNetworkAllowList } from "@/lib/net/workspace-allow-list";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { createTestMember } from "./helpers/members";

/**
 * HTTP tools through the real ToolPort: auth by secret reference (the server sees the value, the
 * trace never does), the Idempotency-Key, error codes, response mapping, and the SSRF guard with
 * private networks NOT allowed (as in production) unless the workspace allow-list opens them.
 */
const TOKEN = "tok-live-9f8e7d6c5b4a";
const API_KEY = "key-abcdef-123456";
let server: CountingServer;
let member: Member;
let port: ToolPort;
let n = 0;

const call = (toolId: string, input: Record<string, unknown> = {}, key = `run-x:agent:0:${n++}`) =>
  port.call({ toolId, input, signal: new AbortController().signal, idempotencyKey: key });

async function httpTool(config: Partial<HttpToolConfig> & { url: string }, inputSchema: Record<string, unknown> = { type: "object", properties: {} }) {
  const tool = await createTool(member, { kind: "http", name: `t_${Date.now()}_${n++}`, inputSchema, config });
  return tool.id;
}

async function failure(promise: Promise<unknown>): Promise<NodeError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NodeError);
  return error as NodeError;
}

beforeAll(async () => {
  server = await startCountingServer();
  member = await createTestMember("owner");
  await createSecret(member, { name: "API_TOKEN", value: TOKEN, allowedHosts: ["127.0.0.1"] });
  await createSecret(member, { name: "QUERY_KEY", value: API_KEY, allowedHosts: ["127.0.0.1"] });
  // Production settings: private networks closed; the counting server (loopback) is reachable only via the allow-list.
  port = createToolPort({ db: db(), workspaceId: member.workspaceId, allowPrivate: false });
});

afterAll(async () => {
  await server?.close();
});

beforeEach(async () => {
  server.reset();
  await setNetworkAllowList(db(), member, { allowList: [`127.0.0.1:${server.port}`] });
});

describe("HTTP tool: auth by secret reference and redaction", () => {
  it("sends the bearer secret and the Idempotency-Key; the trace and output show [redacted] instead of the token", async () => {
    // The server echoes the Authorization header back: a leak the port must catch.
    server.on("/orders", (request) => ({ status: 201, body: { echoed: request.headers.authorization, got: JSON.parse(request.body) as unknown } }));
    const id = await httpTool(
      { method: "POST", url: `${server.url}/orders`, bodyMode: "input", auth: { type: "bearer", secret: "API_TOKEN" } },
      { type: "object", properties: { item: { type: "string" } }, required: ["item"] },
    );
    const result = await call(id, { item: "tea" }, "run-1:agent:0:3");

    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(server.requests[0]!.headers["idempotency-key"]).toBe("run-1:agent:0:3");
    expect(result.output).toEqual({ echoed: "Bearer [redacted]", got: { item: "tea" } });
    expect((result.detail as { request: { headers: Record<string, string> } }).request.headers.Authorization).toBe("[redacted]");
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("puts an API key into the query string; the traced URL hides it", async () => {
    const id = await httpTool({ url: `${server.url}/search?q={{ q }}`, auth: { type: "apiKey", in: "query", name: "api_key", secret: "QUERY_KEY" } }, {
      type: "object",
      properties: { q: { type: "string" } },
    });
    const result = await call(id, { q: "weft" });
    expect(server.requests[0]!.query).toEqual({ q: "weft", api_key: API_KEY });
    const traced = (result.detail as { request: { url: string } }).request.url;
    expect(traced).toContain("api_key=[redacted]");
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  });

  it("renders headers with {{ secrets.NAME }} and templates, drops empty optional query parameters", async () => {
    const id = await httpTool(
      {
        url: `${server.url}/items/{{ id }}`,
        headers: [{ key: "X-Token", value: "k={{ secrets.API_TOKEN }};user={{ user }}" }],
        query: [{ key: "page", value: "{{ page }}" }],
      },
      { type: "object", properties: { id: { type: "integer" }, user: { type: "string" }, page: { type: "integer" } }, required: ["id"] },
    );
    await call(id, { id: 7, user: "ada" });
    expect(server.requests[0]!.path).toBe("/items/7");
    expect(server.requests[0]!.headers["x-token"]).toBe(`k=${TOKEN};user=ada`);
    expect(server.requests[0]!.query).toEqual({});
  });

  it("maps the response with a path or a JSONata expression", async () => {
    server.on("/weather", { body: { data: { items: [{ temp: 21 }, { temp: 23 }] } } });
    const byPath = await httpTool({ url: `${server.url}/weather`, response: { mode: "path", path: "data.items[1].temp" } });
    expect((await call(byPath)).output).toBe(23);
    const byJsonata = await httpTool({ url: `${server.url}/weather`, response: { mode: "jsonata", expression: "$sum(data.items.temp)" } });
    expect((await call(byJsonata)).output).toBe(44);
  });
});

describe("HTTP tool: errors", () => {
  it("rejects input that breaks the schema before calling, with the problem named", async () => {
    const id = await httpTool({ url: `${server.url}/x` }, { type: "object", properties: { n: { type: "integer" } }, required: ["n"] });
    const error = await failure(call(id, { n: "seven" }));
    expect(error.code).toBe("tool_error");
    expect(error.message).toMatch(/input schema.*n:/);
    expect(server.count("/x")).toBe(0);
  });

  it("maps 5xx/429 to retryable tool_unavailable (with Retry-After) and 4xx to tool_error; unknown and disabled tools to tool_not_found", async () => {
    server.on("/busy", { status: 429, headers: { "retry-after": "3" }, body: { error: "slow down" } });
    server.on("/gone", { status: 404, body: { error: "no such thing" } });
    const busy = await failure(call(await httpTool({ url: `${server.url}/busy` })));
    expect(busy).toMatchObject({ code: "tool_unavailable", retryable: true, retryAfterMs: 3000 });
    expect(busy.trace.detail).toMatchObject({ response: { status: 429 } });
    const gone = await failure(call(await httpTool({ url: `${server.url}/gone` })));
    expect(gone).toMatchObject({ code: "tool_error", retryable: false });
    expect(gone.message).toContain("404");

    expect((await failure(call("00000000-0000-4000-8000-000000000000"))).code).toBe("tool_not_found");
    const disabled = await createTool(member, { kind: "http", name: `off_${n++}`, enabled: false, inputSchema: { type: "object" }, config: { url: `${server.url}/x` } });
    expect((await failure(call(disabled.id))).code).toBe("tool_not_found");
    await expect(port.describe([disabled.id])).rejects.toMatchObject({ code: "tool_not_found" });
  });
});

describe("HTTP tool: SSRF guard and the workspace allow-list", () => {
  it.each([
    ["loopback", (port: number) => `http://127.0.0.2:${port}/x`],
    ["private range", () => "http://10.0.0.1/x"],
    ["cloud metadata", () => "http://169.254.169.254/latest/meta-data/"],
    ["decimal IP", (port: number) => `http://2130706434:${port}/x`],
    ["hex IP", (port: number) => `http://0x7f000002:${port}/x`],
    ["IPv6-mapped IPv4", (port: number) => `http://[::ffff:127.0.0.2]:${port}/x`],
    ["IPv6 loopback", (port: number) => `http://[::1]:${port}/x`],
    ["localhost name", (port: number) => `http://localhost:${port}/x`],
  ])("blocks %s targets that are not allow-listed", async (_label, url) => {
    const error = await failure(call(await httpTool({ url: url(server.port) })));
    expect(error.code).toBe("tool_error");
    expect(error.message).toMatch(/blocked|not a public address/);
    expect(server.requests).toHaveLength(0);
  });

  it("blocks a redirect from an allow-listed host to a private one", async () => {
    server.on("/hop", { redirect: `http://127.0.0.2:${server.port}/inside` });
    const error = await failure(call(await httpTool({ url: `${server.url}/hop` })));
    expect(error.message).toMatch(/after a redirect/);
    expect(server.count("/hop")).toBe(1);
    expect(server.count("/inside")).toBe(0);
  });

  it("reaches private targets once an admin allow-lists their network (CIDR), and only admins may change the list", async () => {
    await setNetworkAllowList(db(), member, { allowList: [] });
    const id = await httpTool({ url: `${server.url}/inside` });
    expect((await failure(call(id))).message).toMatch(/blocked/);
    await setNetworkAllowList(db(), member, { allowList: ["127.0.0.0/8"] });
    expect((await call(id)).output).toMatchObject({ ok: true, path: "/inside" });

    const developer = { ...member, role: "developer" as const };
    await expect(setNetworkAllowList(db(), developer, { allowList: [] })).rejects.toMatchObject({ code: "forbidden" });
    await expect(setNetworkAllowList(db(), member, { allowList: ["not a host!"] })).rejects.toMatchObject({ code: "invalid_request" });
  });
});
