import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { AnswerWaitRequestSchema, RunSchema } from "@/lib/api/schemas";
import { WeftClient } from "@/lib/client/weft-client";

/** The public API's cancel and answer endpoints as the OpenAPI document and the typed client describe them. */
describe("cancel and answer in the OpenAPI document", () => {
  const doc = buildOpenApiDocument();

  it("documents both endpoints with their scopes, bodies and 4xx answers", () => {
    const cancel = doc.paths["/api/v1/runs/{id}/cancel"]!.post!;
    expect(cancel["x-weft-scope"]).toBe("runs:write");
    expect(Object.keys(cancel.responses)).toEqual(expect.arrayContaining(["200", "401", "403", "404", "409"]));
    const answer = doc.paths["/api/v1/runs/{id}/waits/{waitId}/answer"]!.post!;
    expect(answer["x-weft-scope"]).toBe("waits:answer");
    expect(answer.parameters!.map((p) => p.name)).toEqual(["id", "waitId"]);
    expect(answer.requestBody).toMatchObject({ required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/AnswerWaitRequest" } } } });
    expect(Object.keys(answer.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "403", "404", "409"]));
  });

  it("describes a decision as a closed request body and the run's waits in Run", () => {
    const decision = doc.components.schemas.ApprovalAnswer as { properties: Record<string, unknown>; required?: string[]; additionalProperties: unknown };
    expect(decision.properties.decision).toMatchObject({ enum: ["approve", "reject"] });
    expect(decision.required).toEqual(["decision"]);
    expect(decision.additionalProperties).toBe(false);
    expect(JSON.stringify(doc.components.schemas.AnswerWaitRequest)).toContain("#/components/schemas/ApprovalAnswer");
    expect(JSON.stringify((doc.components.schemas.Run as { properties: Record<string, unknown> }).properties.waits)).toContain("#/components/schemas/RunWait");
    expect(doc.components.schemas).toHaveProperty("QuestionRequest");
  });

  it("accepts any JSON object as an answer body (the wait's own fields decide) but nothing else", () => {
    expect(AnswerWaitRequestSchema.safeParse({ decision: "approve" }).success).toBe(true);
    expect(AnswerWaitRequestSchema.safeParse({ carrier: "DHL", parcels: 2 }).success).toBe(true);
    expect(AnswerWaitRequestSchema.safeParse("approve").success).toBe(false);
    expect(RunSchema.shape.waits).toBeDefined();
  });
});

describe("WeftClient cancelRun / answerWait", () => {
  it("posts to the run's cancel and answer URLs with the key and the answer as the body", async () => {
    const seen: Request[] = [];
    const client = new WeftClient({
      baseUrl: "https://weft.example",
      apiKey: "weft_k",
      fetch: async (request) => {
        seen.push(request);
        return request.url.endsWith("/cancel")
          ? Response.json({ runId: "r/1", status: "cancelled", previousStatus: "waiting" })
          : Response.json({ waitId: "w1", runId: "r/1", status: "answered", requeued: true, answer: { decision: "reject", comment: "no" }, answeredBy: { kind: "api_key", id: "k", name: "API key ci" } });
      },
    });
    expect(await client.cancelRun("r/1")).toEqual({ runId: "r/1", status: "cancelled", previousStatus: "waiting" });
    expect(await client.answerWait("r/1", "w1", { decision: "reject", comment: "no" })).toMatchObject({ status: "answered", requeued: true });
    expect(seen.map((r) => [r.method, r.url])).toEqual([
      ["POST", "https://weft.example/api/v1/runs/r%2F1/cancel"],
      ["POST", "https://weft.example/api/v1/runs/r%2F1/waits/w1/answer"],
    ]);
    expect(await seen[1]!.json()).toEqual({ decision: "reject", comment: "no" });
    expect(seen[1]!.headers.get("authorization")).toBe("Bearer weft_k");
  });

  it("raises the API's 409 when a wait was already answered", async () => {
    const client = new WeftClient({
      baseUrl: "https://weft.example",
      apiKey: "k",
      fetch: async () => Response.json({ error: { code: "conflict", message: "This wait has already been answered.", status: "answered" } }, { status: 409 }),
    });
    await expect(client.answerWait("r", "w", { decision: "approve" })).rejects.toMatchObject({ status: 409, code: "conflict", message: "This wait has already been answered." });
  });
});
