import { describe, expect, it } from "vitest";
import { WeftApiError, WeftClient, readEventStream } from "@/lib/client/weft-client";
import { generateApiKeySecret, hashApiKey, looksLikeApiKey, visiblePrefix } from "@/lib/api-keys/secret";

/** A Response whose body arrives in the given chunks (to test parsing across chunk boundaries). */
function chunked(chunks: string[], init: ResponseInit = {}): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Response(body, init);
}

describe("WeftClient", () => {
  it("sends the key as a Bearer token and the mode in the body", async () => {
    const seen: Request[] = [];
    const client = new WeftClient({
      baseUrl: "https://weft.example/",
      apiKey: "weft_secret",
      fetch: async (request) => {
        seen.push(request);
        return Response.json({ runId: "r1", status: "queued" }, { status: 202 });
      },
    });
    expect(await client.startRun("wf/1", { inputs: { a: 1 }, version: 2 })).toEqual({ runId: "r1", status: "queued" });
    expect(seen[0]!.url).toBe("https://weft.example/api/v1/workflows/wf%2F1/runs");
    expect(seen[0]!.headers.get("authorization")).toBe("Bearer weft_secret");
    expect(await seen[0]!.json()).toEqual({ inputs: { a: 1 }, version: 2, mode: "async" });
  });

  it("uploads a knowledge document as the raw body with its name, type and tags in the query", async () => {
    const seen: Request[] = [];
    const client = new WeftClient({
      baseUrl: "https://weft.example",
      apiKey: "k",
      fetch: async (request) => {
        seen.push(request);
        if (request.method === "DELETE") return new Response(null, { status: 204 });
        return Response.json({ id: "d1", status: "queued" }, { status: 201 });
      },
    });
    expect(await client.uploadDocument("kb/1", new TextEncoder().encode("# Hello"), { name: "a b.md", contentType: "text/markdown", metadata: { team: "HR" } })).toEqual({ id: "d1", status: "queued" });
    const url = new URL(seen[0]!.url);
    expect(url.pathname).toBe("/api/v1/knowledge-bases/kb%2F1/documents");
    expect(url.searchParams.get("name")).toBe("a b.md");
    expect(JSON.parse(url.searchParams.get("metadata")!)).toEqual({ team: "HR" });
    expect(seen[0]!.headers.get("content-type")).toBe("text/markdown");
    expect(await seen[0]!.text()).toBe("# Hello");

    await client.addUrlDocument("kb", { url: "https://example.com/page" });
    expect(seen[1]!.headers.get("content-type")).toBe("application/json");
    expect(await seen[1]!.json()).toEqual({ url: "https://example.com/page" });
    await expect(client.deleteDocument("kb", "d1")).resolves.toBeUndefined();
    expect([seen[2]!.method, new URL(seen[2]!.url).pathname]).toEqual(["DELETE", "/api/v1/knowledge-bases/kb/documents/d1"]);
  });

  it("throws WeftApiError with the API's code, status and message", async () => {
    const client = new WeftClient({
      baseUrl: "https://weft.example",
      apiKey: "k",
      fetch: async () => Response.json({ error: { code: "not_published", message: "Publish it first." } }, { status: 409 }),
    });
    const error = await client.getRun("r").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeftApiError);
    expect(error).toMatchObject({ status: 409, code: "not_published", message: "Publish it first." });
  });

  it("falls back to http_<status> for a non-JSON error page", async () => {
    const client = new WeftClient({ baseUrl: "https://weft.example", apiKey: "k", fetch: async () => new Response("<html>bad gateway</html>", { status: 502 }) });
    await expect(client.listWorkflows()).rejects.toMatchObject({ status: 502, code: "http_502" });
  });

  it("parses Server-Sent Events split across chunks, with ids, comments and CRLF line ends", async () => {
    const response = chunked([
      ": keep-alive\n\nid: 1\nevent: snapshot\nda",
      'ta: {"type":"snapshot","run":{"id":"r"}}\n\n',
      'id: 2\r\nevent: delta\r\ndata: {"type":"delta","nodeId":"llm","iteration":0,"text":"hi"}\r\n\r\n',
      'id: 3\nevent: run\ndata: {"type":"run","status":"succeeded","at":"2026-01-01T00:00:00.000Z"}\n\n',
    ]);
    const events = [];
    for await (const event of readEventStream(response)) events.push(event);
    expect(events.map((e) => [e.id, e.type])).toEqual([
      ["1", "snapshot"],
      ["2", "delta"],
      ["3", "run"],
    ]);
  });
});

describe("API key secrets", () => {
  it("are weft_ + 43 base64url characters, hashed with SHA-256, shown by prefix only", () => {
    const secret = generateApiKeySecret();
    expect(looksLikeApiKey(secret)).toBe(true);
    expect(looksLikeApiKey(`${secret}x`)).toBe(false);
    expect(hashApiKey(secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(secret)).toBe(hashApiKey(secret));
    expect(visiblePrefix(secret)).toHaveLength(12);
    expect(generateApiKeySecret()).not.toBe(secret);
  });
});
