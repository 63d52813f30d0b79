import { describe, expect, it } from "vitest";
import { encodeBody, encodingOf, toXml } from "@/lib/tools/openapi/bodies";
import { prepareOpenApi, uniqueToolName } from "@/lib/tools/openapi";
import { TOOL_LIMITS } from "@/lib/tools/schema";

/** OpenAPI documents as people ship them: long operationIds, OPTIONS/TRACE, huge schemas, non-JSON bodies. */
const doc = (paths: Record<string, unknown>, components: Record<string, unknown> = {}) => JSON.stringify({ openapi: "3.0.3", info: { title: "Quirks", version: "1" }, paths, components });
const LONG = "enterprise-admin/list-self-hosted-runner-groups-for-enterprise-organization-and-repository";

describe("tool names", () => {
  it("gives operations whose names share 64 characters unique, stable names", async () => {
    const paths = { "/a": { get: { operationId: `${LONG}-alpha`, responses: {} } }, "/b": { get: { operationId: `${LONG}-beta`, responses: {} } } };
    const first = await prepareOpenApi(doc(paths));
    const names = first.operations.map((o) => o.toolName);
    expect(new Set(names).size).toBe(2);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(64);
    // The same names whatever the order or the other operations: they hang on the operation key.
    const reversed = await prepareOpenApi(doc({ "/b": paths["/b"], "/a": paths["/a"] }));
    expect(reversed.operations.find((o) => o.key === "GET /a")!.toolName).toBe(first.operations.find((o) => o.key === "GET /a")!.toolName);
    const alone = await prepareOpenApi(doc({ "/b": paths["/b"] }));
    expect(alone.operations[0]!.toolName).toBe(first.operations.find((o) => o.key === "GET /b")!.toolName);
  });

  it("keeps a short free name and hashes one that is taken", () => {
    expect(uniqueToolName("listPets", "get", "/pets", "GET /pets", new Set())).toBe("listPets");
    const taken = uniqueToolName("listPets", "get", "/pets", "GET /pets", new Set(["listPets"]));
    expect(taken).toMatch(/^listPets_[0-9a-f]{8}$/);
    expect(uniqueToolName("listPets", "get", "/pets", "GET /pets", new Set(["listPets"]))).toBe(taken);
  });
});

describe("operations that are not imported", () => {
  it("lists OPTIONS and TRACE as skipped with the reason", async () => {
    const prepared = await prepareOpenApi(doc({ "/a": { options: { responses: {} }, trace: { responses: {} }, get: { operationId: "getA", responses: {} } } }));
    expect(prepared.operations.map((o) => o.key)).toEqual(["GET /a"]);
    expect(prepared.skipped.map((o) => o.key)).toEqual(["OPTIONS /a", "TRACE /a"]);
    expect(prepared.skipped[0]!.reason).toMatch(/OPTIONS/);
  });

  it("refuses an input schema over the tool limit for that operation only, with its size", async () => {
    const properties = Object.fromEntries(Array.from({ length: 4_000 }, (_, i) => [`field_number_${i}`, { type: "string", description: "A field of a very large object." }]));
    const prepared = await prepareOpenApi(
      doc(
        { "/big": { post: { operationId: "big", requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/Big" } } } }, responses: {} } }, "/small": { get: { operationId: "small", responses: {} } } },
        { schemas: { Big: { type: "object", properties } } },
      ),
    );
    expect(prepared.operations.map((o) => o.key)).toEqual(["GET /small"]);
    expect(prepared.skipped).toEqual([{ key: "POST /big", method: "POST", path: "/big", reason: expect.stringMatching(new RegExp(`KB, over the ${Math.round(TOOL_LIMITS.maxSchemaBytes / 1024)} KB`)) }]);
  });

  it("leaves headers the HTTP client owns out of the inputs, with a note", async () => {
    const prepared = await prepareOpenApi(
      doc({
        "/upload": {
          put: {
            operationId: "upload",
            parameters: ["Content-Length", "Host", "Transfer-Encoding", "Connection", "X-Trace"].map((name) => ({ name, in: "header", required: true, schema: { type: "string" } })),
            responses: {},
          },
        },
      }),
    );
    const op = prepared.operations[0]!;
    expect(Object.keys(op.inputSchema.properties as object)).toEqual(["X-Trace"]);
    expect(op.config.parameters.map((p) => p.name)).toEqual(["X-Trace"]);
    expect(op.notes).toHaveLength(4);
    expect(op.notes[0]).toMatch(/Content-Length is set by the HTTP client/);
  });
});

describe("request bodies by content type", () => {
  it("picks the declared media type and shapes binary and file inputs", async () => {
    const body = (content: Record<string, unknown>) => ({ post: { operationId: `op${Object.keys(content)[0]!.replace(/\W/g, "")}`, requestBody: { required: true, content }, responses: {} } });
    const prepared = await prepareOpenApi(
      doc({
        "/bytes": body({ "application/octet-stream": { schema: { type: "string", format: "binary" } } }),
        "/text": body({ "text/plain": { schema: { type: "string" } } }),
        "/xml": body({ "application/xml": { schema: { type: "object", properties: { name: { type: "string" } } } } }),
        "/multipart": body({ "multipart/form-data": { schema: { type: "object", properties: { file: { type: "string", format: "binary" }, note: { type: "string" } } } } }),
        "/both": body({ "application/xml": { schema: { type: "string" } }, "application/json": { schema: { type: "object" } } }),
      }),
    );
    const byPath = Object.fromEntries(prepared.operations.map((o) => [o.path, o]));
    expect(byPath["/bytes"]!.config.bodyContentType).toBe("application/octet-stream");
    expect(JSON.stringify(byPath["/bytes"]!.inputSchema)).toContain("base64");
    expect(byPath["/text"]!.config.bodyContentType).toBe("text/plain");
    expect(byPath["/xml"]!.config.bodyContentType).toBe("application/xml");
    expect(byPath["/multipart"]!.config.bodyContentType).toBe("multipart/form-data");
    expect(JSON.stringify((byPath["/multipart"]!.inputSchema.properties as Record<string, unknown>).body)).toContain("filename");
    expect(byPath["/both"]!.config.bodyContentType).toBe("application/json");
  });

  it("encodes each kind of body", async () => {
    expect(encodingOf("application/vnd.api+json")).toBe("json");
    expect(encodingOf("image/png")).toBe("binary");
    expect(await encodeBody("application/json", { a: 1 })).toEqual({ body: '{"a":1}', contentType: "application/json" });
    expect(await encodeBody("application/x-www-form-urlencoded", { a: "x y", tags: ["p", "q"] })).toEqual({ body: "a=x+y&tags=p&tags=q", contentType: "application/x-www-form-urlencoded" });
    expect(await encodeBody("text/plain", "hello")).toEqual({ body: "hello", contentType: "text/plain; charset=utf-8" });
    const bytes = await encodeBody("application/octet-stream", { base64: Buffer.from([0, 1, 2, 255]).toString("base64") });
    expect([...(bytes.body as Uint8Array)]).toEqual([0, 1, 2, 255]);
    expect(await encodeBody("application/xml", { pet: { name: "Rex & Co", tags: ["a", "b"] } })).toEqual({
      body: '<?xml version="1.0" encoding="UTF-8"?><pet><name>Rex &amp; Co</name><tags>a</tags><tags>b</tags></pet>',
      contentType: "application/xml",
    });
    const multipart = await encodeBody("multipart/form-data", { note: "hi", file: { base64: Buffer.from("PNG!").toString("base64"), filename: "a.png", contentType: "image/png" } });
    expect(multipart.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const text = Buffer.from(multipart.body as Uint8Array).toString("utf8");
    expect(text).toContain('name="note"');
    expect(text).toContain('filename="a.png"');
    expect(text).toContain("Content-Type: image/png");
    expect(text).toContain("PNG!");
  });

  it("writes XML from objects and escapes text", () => {
    expect(toXml({ a: 1, b: "<x>" })).toBe('<?xml version="1.0" encoding="UTF-8"?><root><a>1</a><b>&lt;x&gt;</b></root>');
  });
});
