import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { API_SCOPES } from "@/lib/api-keys/scopes";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

/**
 * Every app/api/v1/**\/route.ts as an OpenAPI path, with the HTTP methods it exports (read from the
 * source text: importing the handlers would load the database and Redis clients).
 */
function v1Routes(): { path: string; methods: string[] }[] {
  const found: { path: string; methods: string[] }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      // The catch-all ([...path]) is the JSON 404 for unknown paths, not an endpoint to document.
      else if (entry === "route.ts" && !full.includes("[...")) {
        const rel = path.relative(path.join(root, "app"), path.dirname(full));
        const apiPath = `/${rel.split(path.sep).join("/")}`.replace(/\[(\w+)\]/g, "{$1}");
        const source = readFileSync(full, "utf8");
        const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => new RegExp(`export (async )?(function|const) ${m}\\b`).test(source));
        found.push({ path: apiPath, methods: methods.map((m) => m.toLowerCase()) });
      }
    }
  };
  walk(path.join(root, "app/api/v1"));
  return found;
}

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      if (key === "$ref" && typeof v === "string") out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe("OpenAPI document", () => {
  const doc = buildOpenApiDocument();

  it("is OpenAPI 3.1 and survives a JSON round trip unchanged", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it("documents every /api/v1 route file and every method it exports", () => {
    const routes = v1Routes();
    expect(routes.length).toBeGreaterThanOrEqual(5);
    for (const route of routes) {
      expect(Object.keys(doc.paths), route.path).toContain(route.path);
      expect(Object.keys(doc.paths[route.path]!).sort(), route.path).toEqual(route.methods.sort());
    }
    // Besides /api/v1: the webhook trigger.
    expect(Object.keys(doc.paths).length).toBe(routes.length + 1);
  });

  it("documents the webhook trigger with its headers, bodies and every answer", () => {
    const hook = doc.paths["/api/hooks/{id}"]!;
    expect(Object.keys(hook).sort()).toEqual(["get", "post"]);
    const post = hook.post!;
    // No API key needed unless the webhook says so.
    expect(post.security).toEqual([{}, { bearer: [] }]);
    expect(post.parameters!.map((p) => `${p.in}:${p.name}`)).toEqual(["path:id", "header:X-Weft-Timestamp", "header:X-Weft-Signature", "header:Idempotency-Key"]);
    expect(Object.keys(post.requestBody!.content).sort()).toEqual(["application/json", "application/x-www-form-urlencoded"]);
    expect(Object.keys(post.responses).sort()).toEqual(["200", "202", "400", "401", "402", "404", "409", "413", "415", "429", "500", "504"]);
    expect(post.responses["500"]!.content).toEqual({ "application/json": { schema: { $ref: "#/components/schemas/WebhookRunResult" } } });
    expect(post.responses["202"]!.content).toEqual({ "application/json": { schema: { $ref: "#/components/schemas/WebhookAccepted" } } });
    const result = doc.components.schemas.WebhookRunResult as { properties: Record<string, Record<string, unknown>> };
    expect(result.properties.status).toMatchObject({ enum: ["succeeded", "failed", "cancelled"] });
    expect(hook.get!.parameters!.map((p) => p.name)).not.toContain("X-Weft-Signature");
  });

  it("resolves every $ref to a component schema, and has the API's schemas", () => {
    const names = Object.keys(doc.components.schemas);
    expect(names).toEqual(expect.arrayContaining(["ApiError", "StartRunRequest", "Run", "RunStep", "RunAccepted", "WorkflowList", "PublishedWorkflow", "StreamEvent"]));
    for (const ref of refsIn(doc)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(names).toContain(ref.replace("#/components/schemas/", ""));
    }
  });

  it("describes the start-run body with its input defaults and limits", () => {
    const body = doc.components.schemas.StartRunRequest as { properties: Record<string, Record<string, unknown>>; required?: string[]; additionalProperties: unknown };
    expect(body.required ?? []).toEqual([]);
    // Defaults are written in the description, not as `default`, which generators read as "always present".
    expect(body.properties.mode).toMatchObject({ enum: ["async", "sync", "stream"], description: expect.stringContaining('Default: "async".') });
    expect(body.properties.mode).not.toHaveProperty("default");
    expect(body.properties.timeoutMs).toMatchObject({ type: "integer", maximum: 60_000 });
    expect(body.additionalProperties).toBe(false);
    // Response schemas stay open to new fields.
    expect(JSON.stringify(doc.components.schemas.Run)).not.toContain('"additionalProperties":false');
  });

  it("puts API-key security, auth errors and scopes on every operation but the document itself", () => {
    for (const [route, operations] of Object.entries(doc.paths)) {
      for (const operation of Object.values(operations)) {
        if (route === "/api/v1/openapi.json" || route === "/api/hooks/{id}") continue;
        expect(operation.security).toEqual([{ bearer: [] }]);
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["401", "403"]));
        expect(API_SCOPES).toContain(operation["x-weft-scope"]);
      }
    }
    expect(doc.info.description).toContain("Last-Event-ID");
    expect(doc.info.description).toContain("Not yet in v1");
  });

  it("documents the knowledge API with its scopes, the three ways to add a document and the query body", () => {
    const documents = doc.paths["/api/v1/knowledge-bases/{id}/documents"]!;
    expect(documents.get!["x-weft-scope"]).toBe("knowledge:read");
    expect(documents.post!["x-weft-scope"]).toBe("knowledge:write");
    expect(Object.keys(documents.post!.requestBody!.content).sort()).toEqual(["application/json", "application/octet-stream"]);
    expect(doc.paths["/api/v1/knowledge-bases/{id}/documents/{documentId}"]!.delete!["x-weft-scope"]).toBe("knowledge:write");
    expect(doc.paths["/api/v1/knowledge-bases/{id}/query"]!.post!["x-weft-scope"]).toBe("knowledge:read");
    const query = doc.components.schemas.KnowledgeQueryRequest as { properties: Record<string, Record<string, unknown>>; required: string[]; additionalProperties: unknown };
    expect(query.required).toEqual(["query"]);
    expect(query.properties.mode).toMatchObject({ enum: ["hybrid", "vector", "keyword"], description: expect.stringContaining('Default: "hybrid".') });
    expect(query.properties.topK).toMatchObject({ type: "integer", maximum: 50 });
    expect(query.additionalProperties).toBe(false);
    expect(JSON.stringify(doc.components.schemas.AddDocumentRequest)).toContain('"url"');
  });
});
