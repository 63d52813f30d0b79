import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as importRoute from "@/app/api/tools/openapi/route";
import * as previewRoute from "@/app/api/tools/openapi/preview/route";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { ToolPort } from "@/lib/engine/ports";
import { createSecret } from "@/lib/secrets/service";
import { importOpenApi, updateOpenApiSource } from "@/lib/tools/openapi";
import { createToolPort } from "@/lib/tools/port";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { routeRequest, signUpUser } from "./helpers/session";

/** OpenAPI import (Swagger 2.0 JSON, OpenAPI 3 YAML, 400 operations) → tools → calls hitting a counting server. */
const fixture = (name: string) => readFileSync(new URL(`../fixtures/openapi/${name}`, import.meta.url), "utf8");
let server: CountingServer;
let user: { cookie: string; userId: string; workspaceId: string };
let member: Member;
let port: ToolPort;
let n = 0;

const call = (toolId: string, input: Record<string, unknown>) =>
  port.call({ toolId, input, signal: new AbortController().signal, idempotencyKey: `run-o:agent:0:${n++}` });

beforeAll(async () => {
  server = await startCountingServer();
  user = await signUpUser("OpenAPI Importer");
  member = { userId: user.userId, email: "", name: "", workspaceId: user.workspaceId, workspaceName: "", role: "owner" };
  await createSecret(member, { name: "PETS_KEY", value: "pets-key-000111", allowedHosts: ["127.0.0.1"] });
  await createSecret(member, { name: "ORDERS_TOKEN", value: "orders-token-222333", allowedHosts: ["127.0.0.1"] });
  port = createToolPort({ db: db(), workspaceId: member.workspaceId, allowPrivate: true });
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => server.reset());

describe("OpenAPI import", () => {
  it("previews a Swagger 2.0 document's operations through the route without storing anything", async () => {
    const response = await previewRoute.POST(routeRequest("POST", "/api/tools/openapi/preview", user.cookie, { text: fixture("petstore-swagger2.json") }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { operations: { key: string; toolName: string }[]; auth: unknown; servers: string[] };
    expect(body.operations.map((o) => o.key)).toEqual(["GET /pets", "POST /pets", "GET /pets/{petId}"]);
    expect(body.auth).toEqual({ type: "apiKey", in: "query", name: "api_key", secret: "" });
    expect(await db().tool.count({ where: { workspaceId: member.workspaceId } })).toBe(0);
  });

  it("imports chosen Swagger 2.0 operations; calling one sends the path, query, header and API key", async () => {
    const response = await importRoute.POST(
      routeRequest("POST", "/api/tools/openapi", user.cookie, {
        text: fixture("petstore-swagger2.json"),
        operations: ["GET /pets", "GET /pets/{petId}"],
        baseUrl: `${server.url}/api`,
        auth: { type: "apiKey", in: "query", name: "api_key", secret: "PETS_KEY" },
      }),
    );
    expect(response.status).toBe(201);
    const result = (await response.json()) as { created: number; tools: { id: string; name: string }[] };
    expect(result.created).toBe(2);
    const getPet = result.tools.find((t) => t.name === "getPet")!;
    const row = await db().tool.findUniqueOrThrow({ where: { id: getPet.id } });
    expect(row.kind).toBe("openapi");
    expect(row.inputSchema).toEqual({ type: "object", properties: { petId: { type: "integer", format: "int64" }, "X-Request-Id": { type: "string" } }, required: ["petId"] });

    server.on("/api/pets/7", { body: { id: 7, name: "Rex" } });
    const called = await call(getPet.id, { petId: 7, "X-Request-Id": "req-1" });
    expect(called.output).toEqual({ id: 7, name: "Rex" });
    const seen = server.requests[0]!;
    expect(seen.path).toBe("/api/pets/7");
    expect(seen.query).toEqual({ api_key: "pets-key-000111" });
    expect(seen.headers["x-request-id"]).toBe("req-1");
    expect(JSON.stringify(called)).not.toContain("pets-key-000111");

    const list = result.tools.find((t) => t.name === "listPets")!;
    await call(list.id, { limit: 2, tags: ["a", "b"] });
    expect(server.requests[1]!.path).toBe("/api/pets");
    expect(new URL(`http://x/?${new URLSearchParams(server.requests[1]!.query)}`).searchParams.get("limit")).toBe("2");
  });

  it("imports OpenAPI 3 YAML: path parameters encoded, array query repeated, JSON body and bearer auth", async () => {
    const imported = await importOpenApi(member, { text: fixture("orders-openapi3.yaml"), baseUrl: `${server.url}/v2`, auth: { type: "bearer", secret: "ORDERS_TOKEN" } });
    expect(imported.tools.map((t) => t.name).sort()).toEqual(["createOrder", "getOrderLine", "put_categories"]);
    const byName = (name: string) => imported.tools.find((t) => t.name === name)!.id;

    await call(byName("getOrderLine"), { orderId: "a/b c", lineNo: 3, expand: ["sku", "price"] });
    const line = server.requests.at(-1)!;
    expect(line.path).toBe("/v2/orders/a%2Fb%20c/lines/3");
    expect(line.headers.authorization).toBe("Bearer orders-token-222333");
    // Repeated keys collapse in the server's record to the last one.
    expect(line.query).toEqual({ expand: "price" });

    await call(byName("createOrder"), { dryRun: true, body: { customer: "Ada", lines: [{ sku: "T1", quantity: 2 }] } });
    const created = server.requests.at(-1)!;
    expect(created.method).toBe("POST");
    expect(created.query).toEqual({ dryRun: "true" });
    expect(JSON.parse(created.body)).toEqual({ customer: "Ada", lines: [{ sku: "T1", quantity: 2 }] });
    expect(created.headers["content-type"]).toBe("application/json");
    expect(created.headers["idempotency-key"]).toMatch(/^run-o:agent:0:\d+$/);

    // The body must satisfy the referenced schema: quantity >= 1.
    await expect(call(byName("createOrder"), { body: { customer: "Ada", lines: [{ sku: "T1", quantity: 0 }] } })).rejects.toMatchObject({ code: "tool_error" });
  });

  it("re-importing the same source updates its tools: changed ones get a new version, unchosen ones are removed", async () => {
    const first = await importOpenApi(member, { text: fixture("orders-openapi3.yaml"), sourceName: "Orders v2", baseUrl: server.url });
    const changed = fixture("orders-openapi3.yaml").replace("summary: Create an order", "summary: Create an order (now with notes)");
    const second = await importOpenApi(member, { text: changed, sourceName: "Orders v2", operations: ["POST /orders", "GET /orders/{orderId}/lines/{lineNo}"] });
    expect(second).toMatchObject({ sourceId: first.sourceId, created: 0, updated: 1, removed: 1 });
    const tools = await db().tool.findMany({ where: { sourceId: first.sourceId }, orderBy: { name: "asc" } });
    // Taken names get a stable hash of the operation instead of an order-dependent counter.
    expect(tools.map((t) => [t.name, t.version])).toEqual([
      [expect.stringMatching(/^createOrder_[0-9a-f]{8}$/), 2],
      [expect.stringMatching(/^getOrderLine_[0-9a-f]{8}$/), 1],
    ]);
    // A re-import without a base URL takes the document's server again.
    const source = await db().toolSource.findUniqueOrThrow({ where: { id: first.sourceId } });
    expect((source.config as { baseUrl: string }).baseUrl).toBe("https://orders.example.com/v2");
    await updateOpenApiSource(member, first.sourceId, { baseUrl: server.url });
  });

  it("imports the 400-operation document in one go", async () => {
    const started = performance.now();
    const result = await importOpenApi(member, { text: fixture("large.json"), sourceName: "Large" });
    const ms = performance.now() - started;
    expect(result.created).toBe(400);
    expect(await db().tool.count({ where: { sourceId: result.sourceId } })).toBe(400);
    // Informational (timing belongs to bench/openapi-import.ts): print, do not assert.
    console.info(`imported 400 operations in ${ms.toFixed(0)} ms`);
  });
});
