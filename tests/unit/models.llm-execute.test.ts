import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { NodeContext } from "@/lib/engine/node-kit";
import type { ChatRequest, ChatResponse } from "@/lib/engine/ports";
import { type LlmConfig, LlmConfigSchema } from "@/lib/nodes/llm/definition";
import { executeLlm } from "@/lib/nodes/llm/execute";
import { extractJsonText } from "@/lib/models/json-answer";

interface Harness {
  ctx: NodeContext<LlmConfig>;
  calls: ChatRequest[];
  deltas: string[];
}

/** A context whose chat port replays `answer` word by word through onToken, like a provider. */
function harness(config: Partial<LlmConfig>, answer: string, scope: Record<string, unknown> = {}): Harness {
  const calls: ChatRequest[] = [];
  const deltas: string[] = [];
  const controller = new AbortController();
  const ctx: NodeContext<LlmConfig> = {
    runId: "run-1",
    nodeId: "llm_1",
    iteration: 0,
    idempotencyKey: "run-1:llm_1:0",
    config: LlmConfigSchema.parse({ providerId: "prov-1", model: "m-1", ...config }),
    inputs: (scope.input as Record<string, unknown>) ?? {},
    scope,
    // Path-only rendering is all these tests need; the real renderer is the engine's.
    render: async (template) =>
      template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, path: string) => String(path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], scope) ?? "")),
    resolvePath: (path) => path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], scope),
    signal: controller.signal,
    emitDelta: (text) => deltas.push(text),
    services: {
      chat: async (request): Promise<ChatResponse> => {
        calls.push(request);
        for (const piece of answer.match(/\s*\S+\s*/g) ?? []) request.onToken?.(piece);
        return { text: answer, usage: { promptTokens: 11, completionTokens: 4, totalTokens: 15 }, model: "m-1-2025", finishReason: "stop" };
      },
    },
  };
  return { ctx, calls, deltas };
}

async function failure(promise: Promise<unknown>): Promise<NodeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NodeError);
  return error as NodeError;
}

describe("executeLlm", () => {
  it("renders both prompts, streams deltas, and records input, detail and usage", async () => {
    const h = harness(
      { systemPrompt: "You write for {{ input.audience }}.", userPrompt: "Summarise: {{ fetch.body }}", temperature: 0.3, maxTokens: 200 },
      "A short summary here.",
      { input: { audience: "engineers" }, fetch: { body: "long text" } },
    );
    const result = await executeLlm(h.ctx);

    const messages = [
      { role: "system", content: "You write for engineers." },
      { role: "user", content: "Summarise: long text" },
    ];
    expect(h.calls).toHaveLength(1);
    const call = h.calls[0]!;
    expect(call).toMatchObject({ providerId: "prov-1", model: "m-1", messages, temperature: 0.3, maxTokens: 200, json: false });
    expect(call.signal).toBe(h.ctx.signal);
    expect(h.deltas.join("")).toBe("A short summary here.");
    expect(h.deltas.length).toBe(4);

    expect(result.output).toEqual({ text: "A short summary here.", usage: { promptTokens: 11, completionTokens: 4, totalTokens: 15 } });
    expect(result.input).toEqual(messages);
    expect(result.detail).toEqual({
      model: "m-1-2025",
      providerId: "prov-1",
      messages: [...messages, { role: "assistant", content: "A short summary here." }],
      finishReason: "stop",
      usage: { promptTokens: 11, completionTokens: 4, totalTokens: 15 },
      temperature: 0.3,
    });
    expect(result.usage).toEqual({ promptTokens: 11, completionTokens: 4, totalTokens: 15 });
    expect(result.branch).toBeUndefined();
  });

  it("omits an empty system prompt", async () => {
    const h = harness({ systemPrompt: "  ", userPrompt: "Hi" }, "Hello");
    await executeLlm(h.ctx);
    expect(h.calls[0]?.messages).toEqual([{ role: "user", content: "Hi" }]);
  });

  it("parses JSON answers (fenced or not), asks for JSON mode and states the schema to the model", async () => {
    const schema = JSON.stringify({ type: "object", required: ["city"], properties: { city: { type: "string" } } });
    const h = harness({ outputFormat: "json", jsonSchema: schema, systemPrompt: "Extract.", userPrompt: "I live in Lyon" }, '```json\n{"city": "Lyon"}\n```');
    const result = await executeLlm(h.ctx);
    expect(h.calls[0]?.json).toBe(true);
    expect(h.calls[0]?.messages[0]?.content).toBe(`Extract.\n\nReply with a single JSON object only, matching this JSON Schema:\n${schema}`);
    expect(result.output.json).toEqual({ city: "Lyon" });
    expect(result.output.text).toBe('```json\n{"city": "Lyon"}\n```');

    const plain = harness({ outputFormat: "json", userPrompt: "x" }, ' {"a": [1, 2]} ');
    expect((await executeLlm(plain.ctx)).output.json).toEqual({ a: [1, 2] });
    expect(plain.calls[0]?.messages[0]).toEqual({ role: "system", content: "Reply with a single JSON object only." });
  });

  it("fails with output_invalid on text that is not a JSON object", async () => {
    const notJson = await failure(executeLlm(harness({ outputFormat: "json", userPrompt: "x" }, "Sure! Here it is: {city: Lyon}").ctx));
    expect(notJson.code).toBe("output_invalid");
    expect(notJson.retryable).toBe(false);
    expect(notJson.message).toMatch(/^The model's answer is not valid JSON \(.+\)\. It began: "Sure! Here it is: \{city: Lyon\}"$/);

    const array = await failure(executeLlm(harness({ outputFormat: "json", userPrompt: "x" }, "[1,2]").ctx));
    expect(array.code).toBe("output_invalid");
    expect(array.message).toContain("not an object (got an array)");
  });

  it("validates against the JSON schema and says which fields are wrong", async () => {
    const schema = JSON.stringify({
      type: "object",
      required: ["name", "age"],
      properties: { name: { type: "string" }, age: { type: "integer", minimum: 0 }, tags: { type: "array", items: { type: "string" } } },
    });
    const error = await failure(executeLlm(harness({ outputFormat: "json", jsonSchema: schema, userPrompt: "x" }, '{"age": -3, "tags": ["ok", 5]}').ctx));
    expect(error.code).toBe("output_invalid");
    expect(error.message).toContain('(root): Instance does not have required property "name".');
    expect(error.message).toContain("age: ");
    expect(error.message).toContain("tags.1: ");
    expect(error.message).not.toContain("does not match schema");

    const ok = harness({ outputFormat: "json", jsonSchema: schema, userPrompt: "x" }, '{"name": "Ada", "age": 36}');
    expect((await executeLlm(ok.ctx)).output.json).toEqual({ name: "Ada", age: 36 });
  });

  it("passes provider errors through unchanged", async () => {
    const h = harness({ userPrompt: "x" }, "");
    h.ctx.services.chat = async () => {
      throw new NodeError("provider_rate_limit", "The provider is rate limiting requests (429): slow down");
    };
    const error = await failure(executeLlm(h.ctx));
    expect(error.code).toBe("provider_rate_limit");
    expect(error.message).toContain("slow down");
  });
});

describe("extractJsonText", () => {
  it.each([
    ['{"a":1}', '{"a":1}'],
    ['```\n{"a":1}\n```', '{"a":1}'],
    ['```json\n{"a":1}\n```', '{"a":1}'],
    ['  ```JSON {"a":1}```  ', '{"a":1}'],
    ['Here you go:\n```json\n{"a":1}\n```\nAnything else?', '{"a":1}'],
  ])("%j -> %j", (input, expected) => {
    expect(extractJsonText(input)).toBe(expected);
  });
});
