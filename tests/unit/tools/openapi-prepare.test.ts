import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { inputSchemaProblems, validateAgainstSchema } from "@/lib/tools/json-schema";
import { prepareOpenApi, toJsonSchema, toolNameFor } from "@/lib/tools/openapi";

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/openapi/${name}`, import.meta.url), "utf8");

describe("prepareOpenApi", () => {
  it("turns a Swagger 2.0 document into tools: inline parameter types, body parameter, server, api-key auth", async () => {
    const doc = await prepareOpenApi(fixture("petstore-swagger2.json"));
    expect(doc.specVersion).toBe("2.0");
    expect(doc.servers).toEqual(["https://petstore.example.com/api"]);
    expect(doc.auth).toEqual({ type: "apiKey", in: "query", name: "api_key", secret: "" });
    expect(doc.operations.map((o) => `${o.key} → ${o.toolName}`)).toEqual(["GET /pets → listPets", "POST /pets → addPet", "GET /pets/{petId} → getPet"]);

    const getPet = doc.operations.find((o) => o.toolName === "getPet")!;
    expect(getPet.inputSchema).toEqual({
      type: "object",
      properties: { petId: { type: "integer", format: "int64" }, "X-Request-Id": { type: "string" } },
      required: ["petId"],
    });
    expect(getPet.config.parameters).toEqual([
      { name: "petId", in: "path", required: true },
      { name: "X-Request-Id", in: "header", required: false },
    ]);
    const addPet = doc.operations.find((o) => o.toolName === "addPet")!;
    expect(addPet.config.bodyProperty).toBe("body");
    expect(addPet.inputSchema.required).toEqual(["body"]);
    // $ref resolved and x-nullable mapped to a JSON Schema type list.
    expect((addPet.inputSchema.properties as Record<string, { properties: unknown }>).body.properties).toEqual({ name: { type: "string" }, tag: { type: ["string", "null"] } });
    for (const op of doc.operations) expect(inputSchemaProblems(op.inputSchema)).toEqual([]);
  });

  it("reads OpenAPI 3 YAML: server variables, requestBody, nullable, a circular schema, bearer auth", async () => {
    const doc = await prepareOpenApi(fixture("orders-openapi3.yaml"));
    expect(doc.servers).toEqual(["https://orders.example.com/v2"]);
    expect(doc.auth).toEqual({ type: "bearer", secret: "" });
    const create = doc.operations.find((o) => o.toolName === "createOrder")!;
    const body = (create.inputSchema.properties as Record<string, Record<string, unknown>>).body;
    expect(body.required).toEqual(["customer", "lines"]);
    expect((body.properties as Record<string, unknown>).note).toEqual({ type: ["string", "null"] });
    expect(validateAgainstSchema(create.inputSchema, { body: { customer: "Ada", lines: [{ sku: "A1", quantity: 2 }] } })).toEqual([]);
    expect(validateAgainstSchema(create.inputSchema, { body: { customer: "Ada", lines: [{ sku: "A1", quantity: 0 }] } })).not.toEqual([]);

    // No operationId: named after method and path; the recursive Category stays describable.
    const put = doc.operations.find((o) => o.key === "PUT /categories")!;
    expect(put.toolName).toBe("put_categories");
    expect(JSON.stringify(put.inputSchema)).toContain("Recursive structure (Category)");
    expect(inputSchemaProblems(put.inputSchema)).toEqual([]);
  });

  it("imports the 400-operation fixture with unique names and valid schemas", async () => {
    const doc = await prepareOpenApi(fixture("large.json"));
    expect(doc.operations).toHaveLength(400);
    expect(new Set(doc.operations.map((o) => o.toolName)).size).toBe(400);
    for (const op of doc.operations) expect(inputSchemaProblems(op.inputSchema)).toEqual([]);
  });

  it("refuses documents that are not OpenAPI, and never fetches external references", async () => {
    await expect(prepareOpenApi("{ not json")).rejects.toThrow(/neither valid JSON nor YAML/);
    await expect(prepareOpenApi('{"hello": "world"}')).rejects.toThrow(/not an OpenAPI 3.x or Swagger 2.0/);
    const external = JSON.stringify({
      openapi: "3.0.0",
      info: { title: "x", version: "1" },
      paths: { "/a": { get: { operationId: "a", parameters: [{ $ref: "http://127.0.0.1:9/param.json" }], responses: {} } } },
    });
    const doc = await prepareOpenApi(external);
    expect(doc.operations[0]!.inputSchema).toEqual({ type: "object", properties: {} });
  });
});

describe("helpers", () => {
  it("makes tool names safe for function calling", () => {
    expect(toolNameFor(null, "get", "/users/{id}/posts")).toBe("get_users_id_posts");
    expect(toolNameFor("pets.list v2", "get", "/x")).toBe("pets_list_v2");
    expect(toolNameFor("x".repeat(100), "get", "/x")).toHaveLength(64);
  });

  it("bounds schema depth and drops OpenAPI-only keywords", () => {
    expect(toJsonSchema({ type: "string", example: "x", xml: {}, "x-internal": true })).toEqual({ type: "string" });
  });
});
