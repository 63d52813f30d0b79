import net from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import type { ChatRequest } from "@/lib/engine/ports";
import { chatWithProvider, createChatService } from "@/lib/models/chat-service";
import { type LlmConfig, LlmConfigSchema } from "@/lib/nodes/llm/definition";
import { executeLlm } from "@/lib/nodes/llm/execute";
import { encryptSecret } from "@/lib/secrets/crypto";
import { countWords, startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { llmContext } from "./helpers/llm-context";
import { createTestMember } from "./helpers/members";

const API_KEY = "sk-weft-integration-secret-7f3a";

let server: OpenAiServer;
let owner: Member;
let stranger: Member;
let providerId: string;
let strangersProviderId: string;

async function createProvider(workspaceId: string, baseUrl: string, apiKey: string | null, models: string[]) {
  const row = await db().modelProvider.create({
    data: {
      workspaceId,
      name: `Chat test ${Math.random().toString(36).slice(2, 8)}`,
      kind: "openai_compatible",
      preset: "custom",
      baseUrl,
      apiKeyCipher: apiKey ? encryptSecret(apiKey) : null,
      apiKeyHint: apiKey ? apiKey.slice(-4) : null,
      models,
    },
  });
  return row;
}

function request(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    providerId,
    model: "test-model",
    messages: [
      { role: "system", content: "You are terse." },
      { role: "user", content: "Name three primary colours please" },
    ],
    temperature: 0.2,
    signal: new AbortController().signal,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<NodeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NodeError);
  return error as NodeError;
}

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: API_KEY });
  owner = await createTestMember("owner");
  stranger = await createTestMember("owner");
  providerId = (await createProvider(owner.workspaceId, server.url, API_KEY, ["test-model", "json-model"])).id;
  strangersProviderId = (await createProvider(stranger.workspaceId, server.url, API_KEY, ["test-model"])).id;
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

describe("chat service against the OpenAI-wire server through ChatOpenAI", () => {
  it("streams tokens through onToken and records the provider's usage", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    const answer = "Red, yellow and blue are the three primary colours.";
    server.script({ text: answer, chunkDelayMs: 5 });
    const tokens: string[] = [];
    const result = await chat(request({ onToken: (t) => tokens.push(t) }));

    expect(result.text).toBe(answer);
    expect(tokens.length).toBe(countWords(answer));
    expect(tokens.join("")).toBe(answer);
    expect(result.usage).toEqual({ promptTokens: 8, completionTokens: 9, totalTokens: 17 });
    expect(result.finishReason).toBe("stop");
    expect(result.model).toBe("test-model");

    const [sent] = server.chatRequests();
    expect(sent?.stream).toBe(true);
    expect(sent?.stream_options).toEqual({ include_usage: true });
    expect(sent?.model).toBe("test-model");
    expect(sent?.temperature).toBe(0.2);
    expect(sent?.messages).toEqual([
      { role: "system", content: "You are terse." },
      { role: "user", content: "Name three primary colours please" },
    ]);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it("takes custom usage numbers verbatim from the stream", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    server.script({ text: "ok", usage: { prompt_tokens: 1234, completion_tokens: 56 } });
    const result = await chat(request({ maxTokens: 64 }));
    expect(result.usage).toEqual({ promptTokens: 1234, completionTokens: 56, totalTokens: 1290 });
    expect(server.chatRequests()[0]?.max_tokens).toBe(64);
  });

  it("asks for a JSON object in JSON mode", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    const result = await chat(request({ model: "json-model", json: true, messages: [{ role: "user", content: "Reply in JSON" }] }));
    expect(server.chatRequests()[0]?.response_format).toEqual({ type: "json_object" });
    expect(JSON.parse(result.text)).toEqual({ echo: "Reply in JSON" });
  });

  it("classifies a rejected key as provider_auth with the provider's message and without the key", async () => {
    const wrongKey = "sk-wrong-key-that-must-not-leak-0000";
    const bad = await createProvider(owner.workspaceId, server.url, wrongKey, ["test-model"]);
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    const error = await failure(chat(request({ providerId: bad.id })));
    expect(error.code).toBe("provider_auth");
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^The provider rejected the API key \(401\): Incorrect API key provided/);
    expect(error.message).not.toContain(wrongKey);

    server.script({ error: { status: 403, message: "This key cannot use model test-model." } });
    const forbidden = await failure(chat(request()));
    expect(forbidden.code).toBe("provider_auth");
    expect(forbidden.message).toBe("The provider rejected the API key (403): This key cannot use model test-model.");
  });

  it("scrubs the key even when the provider echoes it back", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    server.script({ error: { status: 400, message: `Bad header: Bearer ${API_KEY}` } });
    const error = await failure(chat(request()));
    expect(error.code).toBe("provider_bad_request");
    expect(error.message).toBe("The provider refused the request (400): Bad header: Bearer [redacted]");
  });

  it("maps 429 to provider_rate_limit (retryable, with Retry-After) and 500 to provider_unavailable", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    server.script({ error: { status: 429, message: "Rate limit reached for requests", retryAfter: 7 } });
    const limited = await failure(chat(request()));
    expect(limited.code).toBe("provider_rate_limit");
    expect(limited.retryable).toBe(true);
    expect(limited.message).toBe("The provider is rate limiting requests (429): Rate limit reached for requests Retry after 7 s.");

    server.script({ error: { status: 500, message: "The server had an error while processing your request." } });
    const broken = await failure(chat(request()));
    expect(broken.code).toBe("provider_unavailable");
    expect(broken.retryable).toBe(true);
    expect(broken.message).toContain("(500): The server had an error while processing your request.");

    server.script({ error: { status: 404, message: "The model `nope` does not exist." } });
    const missing = await failure(chat(request()));
    expect(missing.code).toBe("provider_bad_request");
    expect(missing.message).toContain("The model `nope` does not exist.");
    // maxRetries is 0: each failure was exactly one request.
    expect(server.chatRequests()).toHaveLength(3);
  });

  it("maps a refused connection and a dropped stream to provider_unavailable", async () => {
    const closed = await startOpenAiServer();
    const deadUrl = closed.url;
    await closed.close();
    const dead = { id: "x", name: "Dead", kind: "openai_compatible", baseUrl: deadUrl, apiKeyCipher: null, models: ["test-model"] };
    const refused = await failure(chatWithProvider(dead, request({ providerId: "x" })));
    expect(refused.code).toBe("provider_unavailable");
    expect(refused.message).toMatch(/Could not reach provider "Dead" at http:\/\/127\.0\.0\.1:\d+\/v1: .*ECONNREFUSED/);

    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    server.script({ text: "one two three four five six", disconnectAfterChunks: 2 });
    const tokens: string[] = [];
    const dropped = await failure(chat(request({ onToken: (t) => tokens.push(t) })));
    expect(dropped.code).toBe("provider_unavailable");
    expect(tokens.join("")).toBe("one two ");
  });

  it("cancels quickly when the signal aborts mid-stream, and closes the stream", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    const words = Array.from({ length: 100 }, (_, i) => `w${i}`).join(" ");
    server.script({ text: words, chunkDelayMs: 50 });
    const controller = new AbortController();
    const tokens: string[] = [];
    let abortedAt = 0;
    const pending = chat(
      request({
        signal: controller.signal,
        onToken: (t) => {
          tokens.push(t);
          if (tokens.length === 3) {
            abortedAt = Date.now();
            controller.abort();
          }
        },
      }),
    );
    const error = await failure(pending);
    expect(error.code).toBe("cancelled");
    expect(Date.now() - abortedAt).toBeLessThan(500);
    expect(tokens.length).toBeLessThan(10);
    await expect.poll(() => server.openStreams(), { timeout: 2000 }).toBe(0);
  });

  it("fails with timeout when the provider is slower than the deadline", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId, timeoutMs: 300 });
    server.script({ text: "too late", delayMs: 3000 });
    const started = Date.now();
    const error = await failure(chat(request()));
    expect(error.code).toBe("timeout");
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("never uses another workspace's provider, nor a model the provider does not list", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    const foreign = await failure(chat(request({ providerId: strangersProviderId })));
    expect(foreign.code).toBe("provider_not_found");
    const unknown = await failure(chat(request({ providerId: "00000000-0000-0000-0000-000000000000" })));
    expect(unknown.code).toBe("provider_not_found");
    const model = await failure(chat(request({ model: "gpt-9" })));
    expect(model.code).toBe("provider_not_found");
    expect(model.message).toContain('Model "gpt-9" is not configured on provider');
    expect(model.message).toContain("test-model, json-model");
    expect(server.chatRequests()).toHaveLength(0);

    // The stranger's own service can use it.
    const theirs = createChatService({ db: db(), workspaceId: stranger.workspaceId });
    expect((await theirs(request({ providerId: strangersProviderId }))).text).toContain("Echo: Name three primary colours please");
  });

  it("refuses loopback base URLs unless private networks are allowed, before any request", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId, allowPrivateNetwork: false });
    const error = await failure(chat(request()));
    expect(error.code).toBe("provider_bad_request");
    expect(error.message).toMatch(/cannot be reached: Requests to 127\.0\.0\.1 are blocked: it is a loopback address/);
    expect(server.requests).toHaveLength(0);
  });
});

describe("cost and context window from the model's info", () => {
  it("computes the cost from the provider's usage and the model's prices per million tokens", async () => {
    const priced = await db().modelProvider.create({
      data: {
        workspaceId: owner.workspaceId,
        name: `Priced ${Math.random().toString(36).slice(2, 8)}`,
        kind: "openai_compatible",
        baseUrl: server.url,
        apiKeyCipher: encryptSecret(API_KEY),
        models: ["test-model", "free-model"],
        modelInfo: { "test-model": { inputPrice: 2.5, outputPrice: 10, currency: "USD", capabilities: { tools: true, json: true, vision: false, streaming: true } } },
      },
    });
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    server.script({ text: "ok", usage: { prompt_tokens: 1000, completion_tokens: 200 } });
    const result = await chat(request({ providerId: priced.id }));
    // 1000 × 2.5 / 1e6 + 200 × 10 / 1e6
    expect(result.cost).toEqual({ USD: 0.0045 });
    expect(result.providerId).toBe(priced.id);
    // Unknown prices: no cost rather than a zero.
    const free = await chat(request({ providerId: priced.id, model: "free-model" }));
    expect(free.cost).toBeUndefined();
  });

  it("refuses a prompt larger than the model's context window before calling the provider", async () => {
    const small = await db().modelProvider.create({
      data: {
        workspaceId: owner.workspaceId,
        name: `Small ${Math.random().toString(36).slice(2, 8)}`,
        kind: "openai_compatible",
        baseUrl: server.url,
        apiKeyCipher: encryptSecret(API_KEY),
        models: ["test-model"],
        modelInfo: { "test-model": { contextWindow: 50 } },
      },
    });
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    const fits = await chat(request({ providerId: small.id }));
    expect(fits.text).toContain("Echo:");
    const long = "word ".repeat(400);
    const error = await failure(chat(request({ providerId: small.id, messages: [{ role: "user", content: long }] })));
    expect(error.code).toBe("limit_exceeded");
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^The prompt is about 4\d\d tokens \(counted locally\), more than the 50-token context window of model "test-model"/);
    expect(server.chatRequests()).toHaveLength(1);
  }, 30_000);
});

describe("tool calling through ChatOpenAICompletions over HTTP", () => {
  const weatherTool = {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } }, required: ["city"] },
  };

  it("round trip: tools offered → streamed tool call parsed → tool result sent back → final text", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    server.script({ toolCalls: [{ id: "call_w1", name: "get_weather", arguments: { city: "Paris", unit: "celsius" } }], usage: { prompt_tokens: 30, completion_tokens: 12 } });
    const tokens: string[] = [];
    const question = { role: "user" as const, content: "What is the weather in Paris?" };
    const first = await chat(request({ messages: [question], tools: [weatherTool], onToken: (t) => tokens.push(t) }));

    expect(first.toolCalls).toEqual([{ id: "call_w1", name: "get_weather", args: { city: "Paris", unit: "celsius" } }]);
    expect(first.text).toBe("");
    expect(tokens).toEqual([]);
    expect(first.finishReason).toBe("tool_calls");
    expect(first.usage).toEqual({ promptTokens: 30, completionTokens: 12, totalTokens: 42 });
    const [offered] = server.chatRequests();
    expect(offered?.tools).toEqual([{ type: "function", function: { name: "get_weather", description: "Current weather for a city", parameters: weatherTool.parameters } }]);
    expect(offered?.tool_choice).toBe("auto");
    expect(offered?.stream).toBe(true);

    server.script({ text: "It is 18 degrees in Paris." });
    const final = await chat(
      request({
        messages: [
          question,
          { role: "assistant", content: first.text, toolCalls: first.toolCalls },
          { role: "tool", toolCallId: "call_w1", content: JSON.stringify({ temperature: 18 }) },
        ],
        tools: [weatherTool],
      }),
    );
    expect(final.text).toBe("It is 18 degrees in Paris.");
    expect(final.toolCalls).toBeUndefined();
    const sent = server.chatRequests()[1]?.messages ?? [];
    expect(sent[1]).toMatchObject({
      role: "assistant",
      tool_calls: [{ id: "call_w1", type: "function", function: { name: "get_weather", arguments: JSON.stringify({ city: "Paris", unit: "celsius" }) } }],
    });
    expect(sent[2]).toEqual({ role: "tool", content: '{"temperature":18}', tool_call_id: "call_w1" });
  });

  it("parses several calls in one answer, and passes required / none as tool_choice", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    server.script({
      text: "Checking both.",
      toolCalls: [
        { id: "a", name: "get_weather", arguments: { city: "Oslo" } },
        { id: "b", name: "get_weather", arguments: { city: "Lima", unit: "fahrenheit" } },
      ],
    });
    const both = await chat(request({ tools: [weatherTool], toolChoice: "required" }));
    expect(both.text).toBe("Checking both.");
    expect(both.toolCalls).toEqual([
      { id: "a", name: "get_weather", args: { city: "Oslo" } },
      { id: "b", name: "get_weather", args: { city: "Lima", unit: "fahrenheit" } },
    ]);
    expect(server.chatRequests()[0]?.tool_choice).toBe("required");

    await chat(request({ tools: [weatherTool], toolChoice: "none" }));
    expect(server.chatRequests()[1]?.tool_choice).toBe("none");
    await chat(request());
    expect(server.chatRequests()[2]).not.toHaveProperty("tools");
  });

  it("fails with output_invalid when the model's arguments are not a JSON object", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    server.script({ toolCalls: [{ id: "x", name: "get_weather", arguments: "city is Paris" }] });
    const error = await failure(chat(request({ tools: [weatherTool] })));
    expect(error.code).toBe("output_invalid");
    expect(error.message).toContain('tool "get_weather"');
    expect(error.message).toContain("city is Paris");
  });
});

describe("no outbound traffic except to the provider", () => {
  type Target = string;
  let targets: Target[] = [];
  let fetched: string[] = [];
  const originalConnect = net.Socket.prototype.connect;
  const originalFetch = globalThis.fetch;

  beforeEach(() => {
    targets = [];
    fetched = [];
    // Every TCP connection in this process (fetch/undici, http, https, tls) goes through Socket#connect.
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      const first = args[0] as { host?: string; port?: number; path?: string } | number | string | unknown[];
      const options = Array.isArray(first) ? (first[0] as { host?: string; port?: number; path?: string }) : first;
      if (typeof options === "object" && options) targets.push(options.path ?? `${options.host ?? "localhost"}:${options.port}`);
      else targets.push(typeof options === "number" ? `${String(args[1] ?? "localhost")}:${options}` : String(options));
      return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
    } as typeof net.Socket.prototype.connect;
    globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
      fetched.push(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      return originalFetch(input, init);
    }) as typeof fetch;
  });
  afterEach(() => {
    net.Socket.prototype.connect = originalConnect;
    globalThis.fetch = originalFetch;
  });

  it("streams, counts tokens and parses JSON while contacting only the provider's host and port", async () => {
    // A fresh server, so the provider connection is new and must show up in the record.
    const fresh = await startOpenAiServer();
    try {
      const provider = { id: "p", name: "Fresh", kind: "openai_compatible", baseUrl: fresh.url, apiKeyCipher: encryptSecret("sk-x-1234"), models: ["gpt-4o-mini"] };
      const tokens: string[] = [];
      const text = await chatWithProvider(provider, request({ providerId: "p", model: "gpt-4o-mini", onToken: (t) => tokens.push(t) }));
      const json = await chatWithProvider(provider, request({ providerId: "p", model: "gpt-4o-mini", json: true }));
      expect(text.usage.totalTokens).toBeGreaterThan(0);
      expect(tokens.length).toBeGreaterThan(1);
      expect(JSON.parse(json.text)).toHaveProperty("echo");

      expect(targets.length).toBeGreaterThan(0);
      expect(new Set(targets)).toEqual(new Set([`127.0.0.1:${fresh.port}`]));
      expect(fetched).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it("runs an LLM node end to end (database lookup included) touching only the provider and the database", async () => {
    const fresh = await startOpenAiServer({ apiKey: API_KEY });
    try {
      const provider = await createProvider(owner.workspaceId, fresh.url, API_KEY, ["gpt-4o-mini"]);
      const database = new URL(process.env.DATABASE_URL ?? "");
      const config: LlmConfig = LlmConfigSchema.parse({
        providerId: provider.id,
        model: "gpt-4o-mini",
        systemPrompt: "Extract the city.",
        userPrompt: "I live in {{ city }}",
        outputFormat: "json",
      });
      const deltas: string[] = [];
      const ctx = llmContext(config, createChatService({ db: db(), workspaceId: owner.workspaceId }), {
        render: (template) => template.replace("{{ city }}", "Lyon"),
        emitDelta: (text) => deltas.push(text),
      });
      const result = await executeLlm(ctx);
      expect(result.output.json).toEqual({ echo: "I live in Lyon" });
      expect(result.usage?.totalTokens).toBeGreaterThan(0);
      expect(deltas.join("")).toBe(result.output.text);

      const allowed = new Set([`127.0.0.1:${fresh.port}`, `${database.hostname}:${database.port || "5432"}`]);
      expect(targets).toContain(`127.0.0.1:${fresh.port}`);
      expect(targets.filter((t) => !allowed.has(t))).toEqual([]);
      expect(fetched).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
