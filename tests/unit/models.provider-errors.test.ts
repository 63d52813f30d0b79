import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import { PROVIDER_KINDS, PROVIDER_PRESET_IDS, PROVIDER_PRESETS } from "@/lib/models/provider-kinds";
import { classifyProviderError } from "@/lib/models/provider-errors";
import { SsrfError } from "@/lib/net/ssrf";
import { CreateProviderSchema, UpdateProviderSchema } from "@/lib/providers/schema";

const ctx = { providerName: "Acme", baseUrl: "https://llm.acme.test/v1", secrets: ["sk-live-0123456789"] };

/** An error shaped like the OpenAI SDK's APIError (status, parsed body, headers). */
function apiError(status: number, message: string, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`${status} ${message}`), { status, error: { message, type: "x" }, headers: new Headers(headers) });
}

describe("classifyProviderError", () => {
  it.each([
    [401, "provider_auth", "The provider rejected the API key (401): nope"],
    [403, "provider_auth", "The provider rejected the API key (403): nope"],
    [429, "provider_rate_limit", "The provider is rate limiting requests (429): nope"],
    [500, "provider_unavailable", "The provider failed (500): nope"],
    [503, "provider_unavailable", "The provider failed (503): nope"],
    [400, "provider_bad_request", "The provider refused the request (400): nope"],
    [404, "provider_bad_request", "The provider refused the request (404): nope"],
    [422, "provider_bad_request", "The provider refused the request (422): nope"],
    [408, "timeout", "The provider timed out the request (408): nope"],
  ])("HTTP %i -> %s", (status, code, message) => {
    const error = classifyProviderError(apiError(status, "nope"), ctx);
    expect(error).toBeInstanceOf(NodeError);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it("falls back to the SDK message without its status prefix, and to a period with no message", () => {
    const noBody = Object.assign(new Error("502 Bad Gateway"), { status: 502 });
    expect(classifyProviderError(noBody, ctx).message).toBe("The provider failed (502): Bad Gateway");
    const empty = Object.assign(new Error("500 status code (no body)"), { status: 500 });
    expect(classifyProviderError(empty, ctx).message).toBe("The provider failed (500).");
  });

  it("adds Retry-After and scrubs secrets from anything the provider says", () => {
    const limited = classifyProviderError(apiError(429, "key sk-live-0123456789 is over quota", { "retry-after": "12" }), ctx);
    expect(limited.message).toBe("The provider is rate limiting requests (429): key [redacted] is over quota Retry after 12 s.");
  });

  it("classifies network failures, timeouts, aborts, SSRF blocks and the unknown", () => {
    const refused = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:443"), { code: "ECONNREFUSED" }) });
    expect(classifyProviderError(refused, ctx)).toMatchObject({ code: "provider_unavailable", message: 'Could not reach provider "Acme" at https://llm.acme.test/v1: connect ECONNREFUSED 10.0.0.1:443' });
    expect(classifyProviderError(Object.assign(new Error("Request timed out."), { name: "TimeoutError" }), ctx).code).toBe("timeout");
    expect(classifyProviderError(new Error("whatever"), { ...ctx, timedOut: true, timeoutMs: 30_000 }).message).toBe('The model did not finish within 30 s (provider "Acme").');
    const aborted = new AbortController();
    aborted.abort();
    expect(classifyProviderError(apiError(500, "x"), { ...ctx, signal: aborted.signal }).code).toBe("cancelled");
    expect(classifyProviderError(Object.assign(new Error("Aborted"), { name: "AbortError" }), ctx).code).toBe("cancelled");
    const blocked = new TypeError("fetch failed", { cause: new SsrfError("Requests to 10.0.0.1 are blocked") });
    expect(classifyProviderError(blocked, ctx)).toMatchObject({ code: "provider_bad_request", message: 'Provider "Acme" cannot be reached: Requests to 10.0.0.1 are blocked' });
    expect(classifyProviderError(new RangeError("boom"), ctx)).toMatchObject({ code: "internal", message: "The model call failed unexpectedly: boom" });
    const existing = new NodeError("provider_not_found", "gone");
    expect(classifyProviderError(existing, ctx)).toBe(existing);
  });
});

describe("provider presets and input schemas", () => {
  it("declares every preset with a usable default URL and an OpenAI-compatible kind", () => {
    for (const id of PROVIDER_PRESET_IDS) {
      const preset = PROVIDER_PRESETS[id];
      expect(PROVIDER_KINDS).toContain(preset.kind);
      if (id !== "custom") expect(() => new URL(preset.defaultBaseUrl)).not.toThrow();
    }
    expect(PROVIDER_PRESETS.deepseek.defaultBaseUrl).toBe("https://api.deepseek.com/v1");
    expect(PROVIDER_PRESETS.qwen.defaultBaseUrl).toBe("https://dashscope.aliyuncs.com/compatible-mode/v1");
    expect(PROVIDER_PRESETS.ollama.apiKeyRequired).toBe(false);
  });

  it("normalises input: trims, strips trailing slashes, de-duplicates models", () => {
    const parsed = CreateProviderSchema.parse({ name: " Local ", preset: "vllm", baseUrl: " http://localhost:8000/v1/ ", models: [" qwen ", "qwen", "llama"] });
    expect(parsed).toEqual({ name: "Local", preset: "vllm", baseUrl: "http://localhost:8000/v1", models: ["qwen", "llama"] });
    expect(UpdateProviderSchema.parse({ apiKey: null })).toEqual({ apiKey: null });
    expect(CreateProviderSchema.safeParse({ name: "x", preset: "qwen", baseUrl: "javascript:alert(1)", models: ["m"], apiKey: "k" }).success).toBe(false);
  });
});
