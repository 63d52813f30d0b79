import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { HttpRequest, HttpResponse } from "@/lib/engine/ports";
import { createHttpService } from "@/lib/nodes/http/client";
import { HttpConfigSchema, httpNode } from "@/lib/nodes/http/definition";
import { executeHttp, retryAfterMs } from "@/lib/nodes/http/execute";
import { startCountingServer, type CountingServer } from "../../fixtures/counting-server";
import { nodeContext } from "./context";

function fakeHttp(reply: Partial<HttpResponse> = {}) {
  const requests: HttpRequest[] = [];
  const http = async (request: HttpRequest): Promise<HttpResponse> => {
    requests.push(request);
    return { status: 200, headers: { "content-type": "application/json" }, body: '{"ok":true}', url: request.url, ...reply };
  };
  return { http, requests };
}

const config = (raw: Record<string, unknown>) => HttpConfigSchema.parse(raw);

describe("http definition", () => {
  it("declares status, headers and body outputs and checks the config", () => {
    expect(httpNode.outputFields(config({ url: "https://x.test" })).map((f) => f.name)).toEqual(["status", "headers", "body"]);
    expect(httpNode.check!(config({ url: "" }))).toContain("Enter the URL to call.");
    expect(httpNode.check!(config({ url: "ftp://x" }))).toContain("The URL must start with http:// or https://.");
    expect(httpNode.check!(config({ url: "https://x.test", headers: [{ key: "bad name", value: "1" }] }))[0]).toMatch(/not a valid header name/);
    expect(httpNode.check!(config({ url: "https://x.test", method: "GET", bodyType: "json", body: "{}" }))[0]).toMatch(/cannot have a body/);
  });

  it("lists every template so the validator checks references", () => {
    const c = config({
      method: "POST",
      url: "https://x.test/{{ a.b }}",
      headers: [{ key: "X-A", value: "{{ c.d }}" }],
      query: [{ key: "q", value: "{{ e.f }}" }],
      bodyType: "json",
      body: "{{ g.h }}",
    });
    expect(httpNode.templates(c)).toEqual(["https://x.test/{{ a.b }}", "X-A", "{{ c.d }}", "q", "{{ e.f }}", "{{ g.h }}"]);
  });
});

describe("http executor (fake port)", () => {
  const scope = { start: { id: 7, name: "Ada \"L\"", token: "s3cret" } };

  it("renders URL, query and headers, sends a JSON body with an Idempotency-Key, parses the JSON answer", async () => {
    const { http, requests } = fakeHttp({ status: 201, body: '{"id": 7, "tags": ["a"]}' });
    const result = await executeHttp(
      nodeContext(
        config({
          method: "POST",
          url: "https://api.test/users/{{ start.id }}",
          query: [{ key: "verbose", value: "yes please" }],
          headers: [
            { key: "Authorization", value: "Bearer {{ start.token }}" },
            { key: "", value: "" },
          ],
          bodyType: "json",
          body: '{"name": {{ start.name | json }}}',
        }),
        scope,
        { http },
      ),
    );
    expect(requests).toHaveLength(1);
    const sent = requests[0];
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe("https://api.test/users/7?verbose=yes+please");
    expect(sent.headers).toEqual({ Authorization: "Bearer s3cret", "content-type": "application/json", "Idempotency-Key": "run_1:node_1:0" });
    expect(JSON.parse(sent.body as string)).toEqual({ name: 'Ada "L"' });
    expect(sent.timeoutMs).toBe(30_000);
    expect(result.output).toEqual({ status: 201, headers: { "content-type": "application/json" }, body: { id: 7, tags: ["a"] } });
    // Credentials never reach the run trace.
    expect(JSON.stringify(result.input)).not.toContain("s3cret");
    expect(result.input).toMatchObject({ headers: { Authorization: "[redacted]" } });
  });

  it("sends no Idempotency-Key on GET, keeps a user-given one, and returns text bodies as strings", async () => {
    const { http, requests } = fakeHttp({ headers: { "content-type": "text/html" }, body: "<p>hi</p>" });
    const result = await executeHttp(nodeContext(config({ url: "https://x.test" }), {}, { http }));
    expect(requests[0].headers).toEqual({});
    expect(result.output.body).toBe("<p>hi</p>");

    await executeHttp(nodeContext(config({ method: "DELETE", url: "https://x.test", headers: [{ key: "idempotency-key", value: "mine" }] }), {}, { http }));
    expect(requests[1].headers).toEqual({ "idempotency-key": "mine" });
  });

  it("encodes form and text bodies with their content types", async () => {
    const { http, requests } = fakeHttp();
    await executeHttp(nodeContext(config({ method: "PUT", url: "https://x.test", bodyType: "form", form: [{ key: "a b", value: "{{ start.id }}&" }] }), scope, { http }));
    expect(requests[0].body).toBe("a+b=7%26");
    expect(requests[0].headers["content-type"]).toBe("application/x-www-form-urlencoded");
    await executeHttp(nodeContext(config({ method: "PATCH", url: "https://x.test", bodyType: "text", body: "hi {{ start.id }}" }), scope, { http }));
    expect(requests[1].body).toBe("hi 7");
    expect(requests[1].headers["content-type"]).toBe("text/plain; charset=utf-8");
  });

  it("maps statuses: 4xx is not retryable, 429 and 5xx are, with the status and a body snippet", async () => {
    for (const [status, code, retryable] of [
      [404, "http_error", false],
      [400, "http_error", false],
      [429, "http_unavailable", true],
      [503, "http_unavailable", true],
    ] as const) {
      const { http } = fakeHttp({ status, headers: { "content-type": "application/json" }, body: `{"error": "nope ${status}"}` });
      await expect(executeHttp(nodeContext(config({ url: "https://x.test" }), {}, { http }))).rejects.toMatchObject({
        code,
        retryable,
        message: `The server answered ${status}: {"error": "nope ${status}"}`,
      });
    }
  });

  it("passes the server's Retry-After on to the retry policy", async () => {
    const { http } = fakeHttp({ status: 429, headers: { "retry-after": "7" }, body: "slow down" });
    await expect(executeHttp(nodeContext(config({ url: "https://x.test" }), {}, { http }))).rejects.toMatchObject({ code: "http_unavailable", retryAfterMs: 7000 });
    expect(retryAfterMs("Wed, 21 Oct 2015 07:28:10 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(10_000);
    expect(retryAfterMs("soon")).toBeUndefined();
  });

  it("fails clearly on a JSON body that does not render to JSON, an invalid URL, a bad rendered header and a lying content type", async () => {
    const { http, requests } = fakeHttp();
    await expect(executeHttp(nodeContext(config({ method: "POST", url: "https://x.test", bodyType: "json", body: "{ name: {{ start.id }} }" }), scope, { http }))).rejects.toMatchObject({
      code: "template_error",
      message: expect.stringMatching(/^The JSON body is not valid JSON after rendering/),
    });
    await expect(executeHttp(nodeContext(config({ url: "{{ start.name }}" }), scope, { http }))).rejects.toMatchObject({ code: "http_error" });
    await expect(executeHttp(nodeContext(config({ url: "file:///etc/passwd" }), scope, { http }))).rejects.toMatchObject({ code: "network_blocked" });
    await expect(executeHttp(nodeContext(config({ url: "https://x.test", headers: [{ key: "{{ start.name }}", value: "1" }] }), scope, { http }))).rejects.toMatchObject({
      code: "http_error",
    });
    expect(requests).toHaveLength(0);
    const liar = fakeHttp({ headers: { "content-type": "application/json" }, body: "not json" });
    await expect(executeHttp(nodeContext(config({ url: "https://x.test" }), {}, { http: liar.http }))).rejects.toMatchObject({ code: "output_invalid" });
  });

  it("fails with internal when no http port is installed", async () => {
    await expect(executeHttp(nodeContext(config({ url: "https://x.test" })))).rejects.toMatchObject({ code: "internal" });
  });
});

describe("http service against a real server", () => {
  let server: CountingServer;
  let other: CountingServer;
  const base = { headers: {}, timeoutMs: 5_000, maxResponseBytes: 100_000, signal: new AbortController().signal };

  beforeAll(async () => {
    server = await startCountingServer();
    other = await startCountingServer();
  });
  afterAll(async () => {
    await server.close();
    await other.close();
  });
  beforeEach(() => {
    server.reset();
    other.reset();
  });

  describe("with private networks blocked", () => {
    const strict = createHttpService({ allowPrivate: false });

    it.each([
      ["loopback", "http://127.0.0.1:PORT/x", /127\.0\.0\.1.*loopback/],
      ["localhost", "http://localhost:PORT/x", /localhost.*loopback/],
      ["cloud metadata", "http://169.254.169.254/latest/meta-data/", /169\.254\.169\.254.*cloud metadata/],
      ["decimal IPv4", "http://2130706433:PORT/x", /127\.0\.0\.1.*loopback/],
      ["hex IPv4", "http://0x7f000001:PORT/x", /127\.0\.0\.1.*loopback/],
      ["IPv4-mapped IPv6", "http://[::ffff:127.0.0.1]:PORT/x", /loopback/],
      ["IPv6 loopback", "http://[::1]:PORT/x", /loopback/],
      ["private range", "http://10.0.0.1/x", /private network/],
    ])("blocks %s with network_blocked, before any request", async (_name, url, message) => {
      const request = { ...base, method: "GET", url: url.replace("PORT", String(server.port)) };
      await expect(strict(request)).rejects.toMatchObject({ name: "NodeError", code: "network_blocked", retryable: false, message: expect.stringMatching(message) });
      expect(server.requests).toHaveLength(0);
    });

    it("blocks a redirect from an allowed host to a private one, without reaching it", async () => {
      // The first server is allow-listed (as an administrator would for one internal API); the redirect targets are not.
      const service = createHttpService({ allowPrivate: false, allowList: [`127.0.0.1:${server.port}`] });
      server.on("/to-other", { redirect: `http://127.0.0.1:${other.port}/secret` });
      server.on("/to-metadata", { status: 307, redirect: "http://169.254.169.254/latest/meta-data/" });
      server.on("/to-localhost", { redirect: `http://localhost:${server.port}/ok` });
      server.on("/ok", { body: { fine: true } });

      const ok = await service({ ...base, method: "GET", url: `${server.url}/ok` });
      expect(ok.status).toBe(200);
      for (const path of ["/to-other", "/to-metadata", "/to-localhost"]) {
        await expect(service({ ...base, method: "GET", url: `${server.url}${path}` })).rejects.toMatchObject({
          code: "network_blocked",
          message: expect.stringMatching(/after a redirect/),
        });
      }
      expect(other.requests).toHaveLength(0);
      expect(server.count("/ok")).toBe(1);
    });
  });

  describe("with private networks allowed (tests, development)", () => {
    const open = createHttpService({ allowPrivate: true });

    it("sends method, headers and body and reads the answer", async () => {
      const response = await open({ ...base, method: "POST", url: `${server.url}/echo?a=1`, headers: { "content-type": "application/json", "Idempotency-Key": "k1" }, body: '{"x":1}' });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ method: "POST", path: "/echo", query: { a: "1" }, body: { x: 1 }, count: 1 });
      expect(server.requests[0].headers["idempotency-key"]).toBe("k1");
    });

    it("follows redirects (303 turns POST into GET) and drops credentials across origins", async () => {
      server.on("/moved", { status: 303, redirect: `${other.url}/landing` });
      const response = await open({ ...base, method: "POST", url: `${server.url}/moved`, headers: { authorization: "Bearer x", "content-type": "text/plain" }, body: "hi" });
      expect(response.status).toBe(200);
      expect(response.url).toBe(`${other.url}/landing`);
      expect(other.requests[0]).toMatchObject({ method: "GET", body: "" });
      expect(other.requests[0].headers.authorization).toBeUndefined();
    });

    it("stops after too many redirects", async () => {
      server.on("/loop", { redirect: "/loop" });
      await expect(open({ ...base, method: "GET", url: `${server.url}/loop` })).rejects.toMatchObject({ code: "http_error", message: expect.stringMatching(/Too many redirects/) });
      expect(server.count("/loop")).toBe(6);
    });

    it("refuses a body over the size limit, declared or streamed", async () => {
      server.on("/big", { body: "x".repeat(5_000) });
      await expect(open({ ...base, method: "GET", url: `${server.url}/big`, maxResponseBytes: 1_000 })).rejects.toMatchObject({
        code: "http_error",
        message: expect.stringMatching(/limit of 1000 bytes/),
      });
      server.on("/chunked", { body: "y".repeat(5_000), headers: { "transfer-encoding": "chunked" } });
      await expect(open({ ...base, method: "GET", url: `${server.url}/chunked`, maxResponseBytes: 1_000 })).rejects.toMatchObject({ code: "http_error" });
    });

    it("times out with a retryable timeout error, and reports refused connections as retryable", async () => {
      server.on("/slow", { delayMs: 2_000 });
      await expect(open({ ...base, method: "GET", url: `${server.url}/slow`, timeoutMs: 200 })).rejects.toMatchObject({ code: "timeout", retryable: true });
      await expect(open({ ...base, method: "GET", url: "http://127.0.0.1:1/x" })).rejects.toMatchObject({
        code: "http_unavailable",
        retryable: true,
        message: expect.stringMatching(/Could not reach 127\.0\.0\.1:1/),
      });
    });
  });
});
