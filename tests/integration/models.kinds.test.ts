import net from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { ChatRequest } from "@/lib/engine/ports";
import { chatWithProvider, type ProviderConnection } from "@/lib/models/chat-service";
import { createProvider, testProvider } from "@/lib/providers/service";
import { encryptSecret } from "@/lib/secrets/crypto";
import { createTestMember } from "./helpers/members";
import { type AnthropicServer, startAnthropicServer } from "../fixtures/anthropic-server";
import { type OllamaServer, startOllamaServer } from "../fixtures/ollama-server";

/** Anthropic (Messages API) and native Ollama (/api/chat) through their LangChain classes over real HTTP. */

const ANTHROPIC_KEY = "sk-ant-integration-secret-9d2c";
const OLLAMA_KEY = "ollama-proxy-secret-5b1e";

const weatherTool = {
  name: "get_weather",
  description: "Current weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

let anthropic: AnthropicServer;
let ollama: OllamaServer;

function provider(kind: "anthropic" | "ollama", baseUrl: string, apiKey: string | null, models: string[]): ProviderConnection {
  return { id: `${kind}-1`, name: `${kind} test`, kind, baseUrl, apiKeyCipher: apiKey ? encryptSecret(apiKey) : null, models };
}

function request(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    providerId: "x",
    model: "claude-test",
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

// Every TCP connection in this process goes through Socket#connect; fetch is watched too.
let targets: string[] = [];
let fetched: string[] = [];
const originalConnect = net.Socket.prototype.connect;
const originalFetch = globalThis.fetch;

beforeAll(async () => {
  anthropic = await startAnthropicServer({ apiKey: ANTHROPIC_KEY });
  ollama = await startOllamaServer({ apiKey: OLLAMA_KEY });
});
afterAll(async () => {
  await anthropic.close();
  await ollama.close();
});
beforeEach(() => {
  anthropic.reset();
  ollama.reset();
  targets = [];
  fetched = [];
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = args[0] as { host?: string; port?: number; path?: string } | number | unknown[];
    const options = Array.isArray(first) ? (first[0] as { host?: string; port?: number; path?: string }) : first;
    if (typeof options === "object" && options) targets.push(options.path ?? `${options.host ?? "localhost"}:${options.port}`);
    else targets.push(`${String(args[1] ?? "localhost")}:${String(options)}`);
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

describe("Anthropic provider kind (ChatAnthropic over the Messages API)", () => {
  const claude = () => provider("anthropic", anthropic.url, ANTHROPIC_KEY, ["claude-test"]);

  it("streams text with usage from message_start/message_delta, touching only the provider", async () => {
    const answer = "Red, yellow and blue are the three primary colours.";
    anthropic.script({ text: answer, usage: { input_tokens: 21, output_tokens: 11 } });
    const tokens: string[] = [];
    const result = await chatWithProvider(claude(), request({ onToken: (t) => tokens.push(t), maxTokens: 300 }));
    expect(result.text).toBe(answer);
    expect(tokens.join("")).toBe(answer);
    expect(tokens.length).toBeGreaterThan(5);
    expect(result.usage).toEqual({ promptTokens: 21, completionTokens: 11, totalTokens: 32 });
    expect(result.finishReason).toBe("end_turn");
    expect(result.model).toBe("claude-test");

    const [sent] = anthropic.messageRequests();
    expect(sent?.stream).toBe(true);
    expect(sent?.max_tokens).toBe(300);
    expect(sent?.system).toBe("You are terse.");
    expect(sent?.messages).toEqual([{ role: "user", content: "Name three primary colours please" }]);
    expect(anthropic.requests[0]?.headers["x-api-key"]).toBe(ANTHROPIC_KEY);

    expect(new Set(targets)).toEqual(new Set([`127.0.0.1:${anthropic.port}`]));
    expect(fetched).toEqual([]);
  });

  it("round-trips a tool call: tool_use streamed as input_json_delta → tool_result sent back → text", async () => {
    anthropic.script({ text: "Let me check.", toolCalls: [{ id: "toolu_1", name: "get_weather", input: { city: "Paris" } }] });
    const question = { role: "user" as const, content: "Weather in Paris?" };
    const first = await chatWithProvider(claude(), request({ messages: [question], tools: [weatherTool], toolChoice: "required" }));
    expect(first.toolCalls).toEqual([{ id: "toolu_1", name: "get_weather", args: { city: "Paris" } }]);
    expect(first.text).toBe("Let me check.");
    expect(first.finishReason).toBe("tool_use");
    const [offered] = anthropic.messageRequests();
    expect(offered?.tools).toEqual([{ name: "get_weather", description: "Current weather for a city", input_schema: weatherTool.parameters }]);
    expect(offered?.tool_choice).toEqual({ type: "any" });

    anthropic.script({ text: "18 degrees." });
    const final = await chatWithProvider(
      claude(),
      request({
        messages: [question, { role: "assistant", content: first.text, toolCalls: first.toolCalls }, { role: "tool", toolCallId: "toolu_1", content: '{"temperature":18}' }],
        tools: [weatherTool],
      }),
    );
    expect(final.text).toBe("18 degrees.");
    const sent = anthropic.messageRequests()[1]?.messages ?? [];
    expect(JSON.stringify(sent[1])).toContain('"type":"tool_use"');
    expect(JSON.stringify(sent[2])).toContain('"tool_use_id":"toolu_1"');
  });

  it("maps 401 and 429 (with Retry-After) in the provider's own words, never showing the key", async () => {
    const wrong = provider("anthropic", anthropic.url, "sk-ant-wrong-key-never-shown-1234", ["claude-test"]);
    const denied = await failure(chatWithProvider(wrong, request()));
    expect(denied.code).toBe("provider_auth");
    expect(denied.message).toBe("The provider rejected the API key (401): invalid x-api-key");
    expect(denied.message).not.toContain("never-shown");

    anthropic.script({ error: { status: 429, message: "Number of request tokens has exceeded your per-minute rate limit", retryAfter: 4 } });
    const limited = await failure(chatWithProvider(claude(), request()));
    expect(limited.code).toBe("provider_rate_limit");
    expect(limited.retryable).toBe(true);
    expect(limited.retryAfterMs).toBe(4000);
    expect(limited.message).toContain("(429): Number of request tokens has exceeded your per-minute rate limit");

    anthropic.script({ error: { status: 529, message: "Overloaded" } });
    const overloaded = await failure(chatWithProvider(claude(), request()));
    expect(overloaded.code).toBe("provider_unavailable");
    expect(overloaded.message).toBe("The provider failed (529): Overloaded");
    // maxRetries 0: one request per failure.
    expect(anthropic.messageRequests()).toHaveLength(3);
  });

  it("counts tokens locally", async () => {
    const { createAnthropicModel } = await import("@/lib/models/kinds/anthropic");
    const model = createAnthropicModel({ baseUrl: anthropic.url, apiKey: "k", model: "claude-test", allowPrivateNetwork: true });
    expect(await model.getNumTokens("hello world")).toBe(2);
    expect(targets).toEqual([]);
    expect(fetched).toEqual([]);
  }, 30_000);
});

describe("Ollama native provider kind (ChatOllama over /api/chat)", () => {
  const llama = () => provider("ollama", ollama.url, OLLAMA_KEY, ["llama3.2"]);

  it("streams NDJSON text with prompt_eval_count/eval_count usage, touching only the provider", async () => {
    ollama.script({ text: "Red, yellow and blue.", promptEvalCount: 17, evalCount: 6 });
    const tokens: string[] = [];
    const result = await chatWithProvider(llama(), request({ model: "llama3.2", maxTokens: 50, onToken: (t) => tokens.push(t) }));
    expect(result.text).toBe("Red, yellow and blue.");
    expect(tokens).toEqual(["Red, ", "yellow ", "and ", "blue."]);
    expect(result.usage).toEqual({ promptTokens: 17, completionTokens: 6, totalTokens: 23 });
    expect(result.finishReason).toBe("stop");
    const [sent] = ollama.chatRequests();
    expect(sent?.stream).toBe(true);
    expect(sent?.options).toMatchObject({ temperature: 0.2, num_predict: 50 });
    expect(ollama.requests[0]?.headers.authorization).toBe(`Bearer ${OLLAMA_KEY}`);
    expect(new Set(targets)).toEqual(new Set([`127.0.0.1:${ollama.port}`]));
    expect(fetched).toEqual([]);
  });

  it("asks for JSON with format, and parses a tool call whose arguments arrive as an object", async () => {
    const json = await chatWithProvider(llama(), request({ model: "llama3.2", json: true, messages: [{ role: "user", content: "Reply in JSON" }] }));
    expect(ollama.chatRequests()[0]?.format).toBe("json");
    expect(JSON.parse(json.text)).toEqual({ echo: "Reply in JSON" });

    ollama.script({ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] });
    const called = await chatWithProvider(llama(), request({ model: "llama3.2", tools: [weatherTool] }));
    expect(called.toolCalls).toHaveLength(1);
    expect(called.toolCalls?.[0]).toMatchObject({ name: "get_weather", args: { city: "Oslo" } });
    expect(ollama.chatRequests()[1]?.tools).toEqual([{ type: "function", function: { name: "get_weather", description: "Current weather for a city", parameters: weatherTool.parameters } }]);

    // No tool_choice on /api/chat: "none" leaves the tools out.
    await chatWithProvider(llama(), request({ model: "llama3.2", tools: [weatherTool], toolChoice: "none" }));
    expect(ollama.chatRequests()[2]?.tools).toBeUndefined();
  });

  it("maps 401, 429 and an unknown model in the provider's own words", async () => {
    const wrong = provider("ollama", ollama.url, "wrong-ollama-key-never-shown", ["llama3.2"]);
    const denied = await failure(chatWithProvider(wrong, request({ model: "llama3.2" })));
    expect(denied.code).toBe("provider_auth");
    expect(denied.message).toBe("The provider rejected the API key (401): unauthorized");
    expect(denied.message).not.toContain("never-shown");

    ollama.script({ error: { status: 429, message: "too many requests, slow down" } });
    const limited = await failure(chatWithProvider(llama(), request({ model: "llama3.2" })));
    expect(limited.code).toBe("provider_rate_limit");
    expect(limited.message).toContain("(429): too many requests, slow down");

    const missing = await failure(chatWithProvider(provider("ollama", ollama.url, OLLAMA_KEY, ["mistral"]), request({ model: "mistral" })));
    expect(missing.code).toBe("provider_bad_request");
    expect(missing.message).toBe('The provider refused the request (404): model "mistral" not found, try pulling it first');
  });

  it("cancels promptly while the server stalls between chunks", async () => {
    ollama.script({ text: Array.from({ length: 50 }, (_, i) => `w${i}`).join(" "), chunkDelayMs: 200 });
    const controller = new AbortController();
    const tokens: string[] = [];
    let abortedAt = 0;
    const error = await failure(
      chatWithProvider(
        llama(),
        request({
          model: "llama3.2",
          signal: controller.signal,
          onToken: (t) => {
            tokens.push(t);
            if (tokens.length === 2) {
              abortedAt = Date.now();
              controller.abort();
            }
          },
        }),
      ),
    );
    expect(error.code).toBe("cancelled");
    expect(Date.now() - abortedAt).toBeLessThan(500);
  });
});

describe("Settings → Models with the new kinds", () => {
  it("creates Anthropic and native Ollama providers from their presets, and Test connection calls them for real", async () => {
    const owner = await createTestMember("owner");
    const claude = await createProvider(owner, { name: "Claude", preset: "anthropic", baseUrl: `${anthropic.url}/v1`, apiKey: ANTHROPIC_KEY, models: ["claude-sonnet-4-5"] });
    expect(claude.kind).toBe("anthropic");
    expect(claude.modelInfo["claude-sonnet-4-5"]).toMatchObject({ contextWindow: 200_000, inputPrice: 3, outputPrice: 15, currency: "USD" });
    anthropic.script({ text: "pong" });
    const ok = await testProvider(owner, claude.id);
    expect(ok).toMatchObject({ ok: true, model: "claude-sonnet-4-5" });
    expect(ok.message).toMatch(/^Connected: claude-sonnet-4-5 answered "pong" in \d+ ms\.$/);

    const llama = await createProvider(owner, { name: "Local llama", preset: "ollama_native", baseUrl: ollama.url, models: ["llama3.2"] });
    expect(llama.kind).toBe("ollama");
    const denied = await testProvider(owner, llama.id);
    expect(denied).toMatchObject({ ok: false, code: "provider_auth", message: "The provider rejected the API key (401): unauthorized" });
  });

  it("refuses tools for a model marked as unable to call them, before any request", async () => {
    const marked = { ...provider("anthropic", anthropic.url, ANTHROPIC_KEY, ["claude-test"]), modelInfo: { "claude-test": { capabilities: { tools: false, json: false, vision: false, streaming: true } } } };
    const error = await failure(chatWithProvider(marked, request({ tools: [weatherTool] })));
    expect(error.code).toBe("provider_bad_request");
    expect(error.message).toContain('Model "claude-test" of provider "anthropic test" is marked as unable to call tools');
    expect(anthropic.requests).toHaveLength(0);
  });
});
