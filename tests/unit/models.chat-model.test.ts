import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createOpenAiCompatibleModel as createChatModel, NO_API_KEY, toLangChainMessages } from "@/lib/models/chat-model";
import { countTokens } from "@/lib/models/local-tokenizer";

const originalFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = originalFetch;
  vi.unstubAllEnvs();
});

describe("createChatModel", () => {
  it("configures the Chat Completions client: base URL, key, no hidden retries, usage in streams", () => {
    const model = createChatModel({ baseUrl: "https://api.example.com/v1", apiKey: "sk-abc", model: "gpt-4o-mini", temperature: 0.1, maxTokens: 99, timeoutMs: 5000, allowPrivateNetwork: false });
    expect(model.model).toBe("gpt-4o-mini");
    expect(model.apiKey).toBe("sk-abc");
    expect(model.clientConfig.baseURL).toBe("https://api.example.com/v1");
    expect(model.clientConfig.organization).toBeNull();
    expect(typeof model.clientConfig.fetch).toBe("function");
    expect((model.caller as unknown as { maxRetries: number }).maxRetries).toBe(0);
    expect(model.streamUsage).toBe(true);
    expect(model.timeout).toBe(5000);

    const params = model.invocationParams({ response_format: { type: "json_object" } }, { streaming: true });
    expect(params).toMatchObject({ model: "gpt-4o-mini", temperature: 0.1, max_tokens: 99, stream_options: { include_usage: true }, response_format: { type: "json_object" } });
  });

  it("never falls back to OPENAI_API_KEY from the environment for a keyless provider", () => {
    vi.stubEnv("OPENAI_API_KEY", "sk-from-the-server-environment");
    const model = createChatModel({ baseUrl: "http://localhost:11434/v1", model: "llama3.2", allowPrivateNetwork: true });
    expect(model.apiKey).toBe(NO_API_KEY);
  });

  it("counts tokens from local encodings, without any network access", async () => {
    const fetchSpy = vi.fn(() => Promise.reject(new Error("network access attempted")));
    globalThis.fetch = fetchSpy as unknown as typeof fetch;
    const model = createChatModel({ baseUrl: "https://api.example.com/v1", apiKey: "k", model: "gpt-4o-mini", allowPrivateNetwork: false });
    expect(await model.getNumTokens("hello world")).toBe(2);
    const { totalCount } = await model.getNumTokensFromMessages([new SystemMessage("Be brief."), new HumanMessage("What is the capital of France?")]);
    expect(totalCount).toBeGreaterThan(10);
    // Unknown (non-OpenAI) model names fall back to o200k; old OpenAI names get cl100k.
    expect(await countTokens("The quick brown fox", "deepseek-chat")).toBe(4);
    expect(await countTokens("The quick brown fox", "gpt-4")).toBe(4);
    expect(await countTokens([{ type: "text", text: "hello world" }], "qwen-plus")).toBe(2);
    expect(await countTokens("", "x")).toBe(0);
    expect(fetchSpy).not.toHaveBeenCalled();
    // Loading the rank tables (megabytes of JS) is slow under a busy test runner.
  }, 30_000);
});

describe("toLangChainMessages", () => {
  it("maps roles to LangChain message classes", () => {
    const messages = toLangChainMessages([
      { role: "system", content: "s" },
      { role: "user", content: "u" },
      { role: "assistant", content: "a" },
    ]);
    expect(messages.map((m) => [m.type, m.content])).toEqual([
      ["system", "s"],
      ["human", "u"],
      ["ai", "a"],
    ]);
  });
});
