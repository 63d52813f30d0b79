import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { headerRules, sendWebResponse, toWebRequest } from "@/server/node-web-bridge";
import { directRouteTable, type RouteHandlerFn, type RoutesManifest } from "@/server/direct-routes";

/**
 * The web process's direct path for the API routes (server/web.ts): which handler a request
 * reaches, with which params, and what the bridge between Node's http and the Fetch API keeps
 * (headers, body, abort, streaming, the config's security headers). The whole server is exercised
 * against the real build by tests/e2e/public-api.spec.ts.
 */

const route = (page: string, regex: string, keys: string[] = []) => ({
  page,
  regex,
  routeKeys: Object.fromEntries(keys.map((k) => [k, k])),
  namedRegex: regex.replace(/\(\?<(\w+)>/g, "(?<$1>"),
});

// As Next writes them: named groups nxtP<name>, the catch-all last.
const manifest: RoutesManifest = {
  staticRoutes: [route("/api/v1/openai/models", "^/api/v1/openai/models(?:/)?$"), route("/api/workflows", "^/api/workflows(?:/)?$")],
  // (the chat routes are dynamic: /api/chat/[slug]/…)
  dynamicRoutes: [
    route("/api/chat/[slug]/turns", "^/api/chat/(?<nxtPslug>[^/]+?)/turns(?:/)?$", ["nxtPslug"]),
    route("/api/hooks/[id]", "^/api/hooks/(?<nxtPid>[^/]+?)(?:/)?$", ["nxtPid"]),
    route("/api/v1/workflows/[id]/runs", "^/api/v1/workflows/(?<nxtPid>[^/]+?)/runs(?:/)?$", ["nxtPid"]),
    route("/api/v1/[...path]", "^/api/v1/(?<nxtPpath>.+?)(?:/)?$", ["nxtPpath"]),
  ],
};

const handler = (name: string): RouteHandlerFn => async () => new Response(name);

describe("direct route table", () => {
  const table = directRouteTable(
    manifest,
    new Map([
      ["/api/v1/openai/models", { GET: handler("models") }],
      ["/api/chat/[slug]/turns", { POST: handler("turn") }],
      ["/api/hooks/[id]", { GET: handler("hook-get"), POST: handler("hook-post") }],
      ["/api/v1/workflows/[id]/runs", { POST: handler("runs") }],
      ["/api/v1/[...path]", { GET: handler("not-found"), POST: handler("not-found") }],
      ["/api/workflows", { GET: handler("studio") }],
    ]),
  );

  it("serves only /api/v1, /api/hooks and /api/chat, static routes before dynamic ones and the catch-all last", async () => {
    expect(table.pages).toEqual(["/api/v1/openai/models", "/api/chat/[slug]/turns", "/api/hooks/[id]", "/api/v1/workflows/[id]/runs", "/api/v1/[...path]"]);
    const models = table.match("GET", "/api/v1/openai/models");
    expect(models?.kind === "route" && (await (await models.handler(new Request("http://x/"), { params: Promise.resolve({}) })).text())).toBe("models");
    expect(table.match("GET", "/api/workflows")).toBeNull();
  });

  it("decodes params as Next does: one segment, or the catch-all's segments as an array", () => {
    expect(table.match("POST", "/api/v1/workflows/wf%20one/runs")).toMatchObject({ kind: "route", page: "/api/v1/workflows/[id]/runs", params: { id: "wf one" } });
    expect(table.match("GET", "/api/v1/a/b%2Fc/d")).toMatchObject({ kind: "route", page: "/api/v1/[...path]", params: { path: ["a", "b/c", "d"] } });
    expect(table.match("POST", "/api/hooks/abc/")).toMatchObject({ kind: "route", params: { id: "abc" } });
  });

  it("leaves a method the route does not export to Next (405, OPTIONS), lets HEAD use GET, and refuses bad percent-encoding", () => {
    expect(table.match("DELETE", "/api/v1/workflows/w1/runs")).toBeNull();
    expect(table.match("HEAD", "/api/hooks/abc")).toMatchObject({ kind: "route", page: "/api/hooks/[id]" });
    expect(table.match("POST", "/api/v1/workflows/%E0%A4%A/runs")).toEqual({ kind: "bad-path" });
  });
});

describe("node ↔ fetch bridge", () => {
  let server: http.Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()).closeAllConnections() : resolve())));

  async function serve(handle: (request: Request) => Promise<Response>, onRequest?: (request: Request) => void): Promise<string> {
    const rules = headerRules({ headers: [{ regex: "^(?:/((?!skip).*))(?:/)?$", headers: [{ key: "X-Content-Type-Options", value: "nosniff" }] }] });
    server = http.createServer(async (req, res) => {
      const request = (await toWebRequest(req, res))!;
      onRequest?.(request);
      await sendWebResponse(res, await handle(request), new URL(req.url!, "http://x").pathname, rules, req.method === "HEAD");
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("passes method, URL, headers and a small or large body, and sends status, headers, cookies and the config's headers", async () => {
    const base = await serve(async (request) => {
      const body = await request.text();
      const headers = new Headers({ "content-type": "application/json", "x-seen": request.headers.get("x-custom") ?? "" });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response(JSON.stringify({ method: request.method, url: request.url, length: body.length, tail: body.slice(-3) }), { status: 201, headers });
    });
    for (const size of [10, 200_000]) {
      const response = await fetch(`${base}/api/v1/x?q=1`, { method: "POST", headers: { "x-custom": "yes" }, body: "a".repeat(size - 3) + "end" });
      expect(response.status).toBe(201);
      expect(response.headers.get("x-seen")).toBe("yes");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
      expect(await response.json()).toEqual({ method: "POST", url: `${base}/api/v1/x?q=1`, length: size, tail: "end" });
    }
    const skipped = await fetch(`${base}/skip`);
    expect(skipped.headers.get("x-content-type-options")).toBeNull();
  });

  it("answers a body the handler stops reading at its limit (sized or chunked) with the handler's 413, not a reset", async () => {
    const base = await serve(async (request) => {
      const reader = request.body!.getReader();
      let read = 0;
      while (read < 100_000) {
        const chunk = await reader.read();
        if (chunk.done) break;
        read += chunk.value.length;
      }
      await reader.cancel();
      return Response.json({ error: { code: "payload_too_large" } }, { status: 413 });
    });
    const piece = new TextEncoder().encode("x".repeat(100_000));
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 50; i++) controller.enqueue(piece);
        controller.close();
      },
    });
    for (const body of ["x".repeat(5_000_000), chunked]) {
      const response = await fetch(`${base}/api/hooks/h`, { method: "POST", body, duplex: "half" } as RequestInit);
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ error: { code: "payload_too_large" } });
    }
  });

  it("streams a response chunk by chunk and aborts the request's signal when the client goes away", async () => {
    let aborted: Promise<boolean> = Promise.resolve(false);
    const base = await serve(
      async (request) => {
        const encoder = new TextEncoder();
        let timer: NodeJS.Timeout | undefined;
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(encoder.encode("data: first\n\n"));
            timer = setInterval(() => controller.enqueue(encoder.encode("data: more\n\n")), 50);
          },
          cancel: () => clearInterval(timer),
        });
        request.signal.addEventListener("abort", () => clearInterval(timer));
        return new Response(body, { headers: { "content-type": "text/event-stream" } });
      },
      (request) => {
        aborted = new Promise((resolve) => request.signal.addEventListener("abort", () => resolve(true)));
      },
    );
    const controller = new AbortController();
    const response = await fetch(`${base}/api/v1/stream`, { signal: controller.signal });
    const reader = response.body!.getReader();
    // The first event arrives while the stream is still open (nothing held back until the end).
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("data: first");
    controller.abort();
    await expect(aborted).resolves.toBe(true);
  });
});
