import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as importRoute from "@/app/api/tools/openapi/route";
import * as previewRoute from "@/app/api/tools/openapi/preview/route";
import * as v1ImportRoute from "@/app/api/v1/tools/openapi/route";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { ToolPort } from "@/lib/engine/ports";
import { importOpenApi, previewOpenApi } from "@/lib/tools/openapi";
import { createToolPort } from "@/lib/tools/port";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { GITHUB_SIZE_OPERATIONS, githubSizeSpec } from "../fixtures/openapi/generate-github-size";
import { API_BASE, createKey } from "./helpers/api-v1";
import { BASE_URL, signUpUser } from "./helpers/session";

/**
 * OpenAPI documents as they are shipped: a GitHub-sized description uploaded as a file, a document
 * fetched by URL, and request bodies in every encoding an operation can declare, checked at a real
 * HTTP server. (Speed is measured in bench/openapi-import.ts; the timings printed here are informational.)
 */
let server: CountingServer;
let user: { cookie: string; userId: string; workspaceId: string };
let member: Member;
let port: ToolPort;
let n = 0;
const bigText = JSON.stringify(githubSizeSpec());

const multipart = (path: string, headers: Record<string, string>, document: string | Blob, options?: unknown) => {
  const form = new FormData();
  form.append("document", typeof document === "string" ? new Blob([document], { type: "application/json" }) : document, "openapi.json");
  if (options !== undefined) form.append("options", JSON.stringify(options));
  return new Request(`${path.startsWith("/api/v1") ? API_BASE : BASE_URL}${path}`, { method: "POST", headers, body: form });
};

const call = (toolId: string, input: Record<string, unknown>) => port.call({ toolId, input, signal: new AbortController().signal, idempotencyKey: `run-rw:agent:0:${n++}` });

beforeAll(async () => {
  server = await startCountingServer();
  user = await signUpUser("OpenAPI Real World");
  member = { userId: user.userId, email: "", name: "", workspaceId: user.workspaceId, workspaceName: "", role: "owner" };
  port = createToolPort({ db: db(), workspaceId: member.workspaceId, allowPrivate: true });
});

afterAll(async () => {
  await server?.close();
});

describe("a GitHub-sized description", () => {
  it("is uploaded as a file, previewed with all its operations, and a handful imported", async () => {
    expect(bigText.length).toBeGreaterThan(11_000_000);
    let started = performance.now();
    const preview = await previewRoute.POST(multipart("/api/tools/openapi/preview", { cookie: user.cookie }, bigText));
    const previewMs = performance.now() - started;
    expect(preview.status).toBe(200);
    const listed = (await preview.json()) as { operations: { key: string; toolName: string }[]; skipped: unknown[] };
    expect(listed.operations).toHaveLength(GITHUB_SIZE_OPERATIONS);
    expect(new Set(listed.operations.map((o) => o.toolName)).size).toBe(GITHUB_SIZE_OPERATIONS);
    for (const op of listed.operations) expect(op.toolName.length).toBeLessThanOrEqual(64);

    const chosen = listed.operations.slice(0, 3).map((o) => o.key);
    started = performance.now();
    const imported = await importRoute.POST(multipart("/api/tools/openapi", { cookie: user.cookie }, bigText, { sourceName: "GitHub-size", operations: chosen, baseUrl: server.url, auth: { type: "none" } }));
    const importMs = performance.now() - started;
    expect(imported.status).toBe(201);
    const result = (await imported.json()) as { created: number; tools: { id: string; operation: string }[]; skipped: unknown[] };
    expect(result.created).toBe(3);
    expect(result.tools.map((t) => t.operation)).toEqual(chosen);
    console.info(`GitHub-size document (${(bigText.length / 1e6).toFixed(1)} MB): preview ${previewMs.toFixed(0)} ms, import of 3 operations ${importMs.toFixed(0)} ms`);

    // The imported tool calls the test server with its path parameters filled in.
    server.on("/repos/octo/hello/resources-0", { body: [{ id: 1 }] });
    const list = result.tools[0]!;
    const called = await call(list.id, { owner: "octo", repo: "hello", per_page: 5 });
    expect(called.output).toEqual([{ id: 1 }]);
    expect(server.requests.at(-1)!.query).toEqual({ per_page: "5" });
  });

  it("imports all 1,223 operations through the public API as a multipart upload", async () => {
    const { secret } = await createKey(member, ["tools:write"]);
    const started = performance.now();
    const response = await v1ImportRoute.POST(multipart("/api/v1/tools/openapi", { authorization: `Bearer ${secret}` }, bigText, { sourceName: "GitHub-size all" }), { params: Promise.resolve({}) });
    expect(response.status).toBe(201);
    const result = (await response.json()) as { created: number };
    expect(result.created).toBe(GITHUB_SIZE_OPERATIONS);
    console.info(`imported all ${GITHUB_SIZE_OPERATIONS} operations in ${(performance.now() - started).toFixed(0)} ms`);
    // Names never collide with the other source's tools of the same operations.
    const names = await db().tool.findMany({ where: { workspaceId: member.workspaceId }, select: { name: true } });
    expect(new Set(names.map((t) => t.name)).size).toBe(names.length);
  });

  it("refuses a document over the limit without reading all of it", async () => {
    let pulled = 0;
    const chunk = new Uint8Array(1024 * 1024).fill(32);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled > 200) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const boundary = "----weft-test-boundary";
    const head = new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="huge.json"\r\nContent-Type: application/json\r\n\r\n`);
    let sentHead = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!sentHead) {
          sentHead = true;
          controller.enqueue(head);
          return;
        }
        const reader = endless.getReader();
        const { value, done } = await reader.read();
        reader.releaseLock();
        if (done) controller.close();
        else controller.enqueue(value);
      },
    });
    const request = new Request(`${BASE_URL}/api/tools/openapi/preview`, {
      method: "POST",
      headers: { cookie: user.cookie, "content-type": `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: "half",
    } as RequestInit);
    const response = await previewRoute.POST(request);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/WEFT_OPENAPI_MAX_BYTES/);
    expect(pulled).toBeLessThan(200);
  });
});

describe("documents by URL and bodies by content type", () => {
  const spec = {
    openapi: "3.0.3",
    info: { title: "Encodings", version: "1" },
    servers: [{ url: "https://unused.example.com" }],
    paths: {
      "/json": { post: { operationId: "sendJson", requestBody: { content: { "application/json": { schema: { type: "object" } } } }, responses: {} } },
      "/form": { post: { operationId: "sendForm", requestBody: { content: { "application/x-www-form-urlencoded": { schema: { type: "object", properties: { q: { type: "string" } } } } } }, responses: {} } },
      "/multipart": {
        post: {
          operationId: "sendMultipart",
          requestBody: { content: { "multipart/form-data": { schema: { type: "object", properties: { note: { type: "string" }, file: { type: "string", format: "binary" } } } } } },
          responses: {},
        },
      },
      "/text": { post: { operationId: "sendText", requestBody: { content: { "text/plain": { schema: { type: "string" } } } }, responses: {} } },
      "/xml": { post: { operationId: "sendXml", requestBody: { content: { "application/xml": { schema: { type: "object" } } } }, responses: {} } },
      "/bytes": { put: { operationId: "sendBytes", requestBody: { content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } }, responses: {} } },
      "/probe": { options: { responses: {} }, get: { operationId: "probe", parameters: [{ name: "Host", in: "header", schema: { type: "string" } }], responses: {} } },
    },
  };

  it("previews and imports a document fetched from a URL, reporting what it skipped", async () => {
    server.on("/specs/encodings.json", { body: spec });
    const preview = await previewOpenApi(member, { url: `${server.url}/specs/encodings.json` });
    expect(preview.operations.map((o) => o.toolName)).toEqual(["sendJson", "sendForm", "sendMultipart", "sendText", "sendXml", "sendBytes", "probe"]);
    expect(preview.skipped).toEqual([expect.objectContaining({ key: "OPTIONS /probe" })]);
    expect(preview.operations.find((o) => o.toolName === "probe")!.notes).toEqual([expect.stringMatching(/Host is set by the HTTP client/)]);

    server.on("/specs/missing.json", { status: 404, body: "no" });
    const missing = await importRoute.POST(
      new Request(`${BASE_URL}/api/tools/openapi`, { method: "POST", headers: { cookie: user.cookie, "content-type": "application/json" }, body: JSON.stringify({ url: `${server.url}/specs/missing.json` }) }),
    );
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/could not be fetched/);
  });

  it("sends each body in its declared encoding", async () => {
    server.on("/specs/encodings.json", { body: spec });
    const imported = await importOpenApi(member, { url: `${server.url}/specs/encodings.json`, sourceName: "Encodings", baseUrl: server.url, operations: ["POST /json", "POST /form", "POST /multipart", "POST /text", "POST /xml", "PUT /bytes", "OPTIONS /probe", "GET /probe"] });
    expect(imported.skipped.map((s) => s.key)).toEqual(["OPTIONS /probe"]);
    const tool = (name: string) => imported.tools.find((t) => t.name === name)!.id;
    const last = () => server.requests.at(-1)!;

    await call(tool("sendJson"), { body: { a: 1 } });
    expect([last().headers["content-type"], last().body]).toEqual(["application/json", '{"a":1}']);
    await call(tool("sendForm"), { body: { q: "a b" } });
    expect([last().headers["content-type"], last().body]).toEqual(["application/x-www-form-urlencoded", "q=a+b"]);
    await call(tool("sendMultipart"), { body: { note: "hello", file: { base64: Buffer.from("file-content").toString("base64"), filename: "notes.txt", contentType: "text/plain" } } });
    expect(last().headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(last().body).toContain('name="note"\r\n\r\nhello');
    expect(last().body).toMatch(/filename="notes.txt"\r\nContent-Type: text\/plain\r\n\r\nfile-content/);
    await call(tool("sendText"), { body: "plain words" });
    expect([last().headers["content-type"], last().body]).toEqual(["text/plain; charset=utf-8", "plain words"]);
    await call(tool("sendXml"), { body: { order: { id: 7, note: "a<b" } } });
    expect([last().headers["content-type"], last().body]).toEqual(["application/xml", '<?xml version="1.0" encoding="UTF-8"?><order><id>7</id><note>a&lt;b</note></order>']);
    await call(tool("sendBytes"), { body: { base64: Buffer.from("raw-bytes").toString("base64") } });
    expect([last().method, last().headers["content-type"], last().body]).toEqual(["PUT", "application/octet-stream", "raw-bytes"]);
    // The Host parameter is not an input: the client's own Host header goes out.
    await call(tool("probe"), {});
    expect(last().headers.host).toBe(`127.0.0.1:${server.port}`);
  });
});
