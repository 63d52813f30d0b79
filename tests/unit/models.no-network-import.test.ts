import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";

/** Importing the model layer (all three LangChain integrations) and counting tokens opens no connection. */

const targets: string[] = [];
const originalConnect = net.Socket.prototype.connect;
const originalFetch = globalThis.fetch;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  targets.push(JSON.stringify(args[0]));
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
const fetched: string[] = [];
globalThis.fetch = ((input: string | URL | Request) => {
  fetched.push(String(input));
  return Promise.reject(new Error("network access attempted"));
}) as typeof fetch;

afterAll(() => {
  net.Socket.prototype.connect = originalConnect;
  globalThis.fetch = originalFetch;
});

describe("model layer imports", () => {
  it("builds every kind of model and counts tokens without touching the network", async () => {
    const { createChatModel } = await import("@/lib/models/chat-model");
    const params = { baseUrl: "https://models.example.com/v1", apiKey: "k", model: "claude-sonnet-4-5", allowPrivateNetwork: false };
    for (const kind of ["openai_compatible", "anthropic", "ollama"] as const) {
      const handle = createChatModel(kind, params);
      expect(handle.modelName).toBe("claude-sonnet-4-5");
      expect(await handle.model.getNumTokens("hello world")).toBe(2);
    }
    expect(targets).toEqual([]);
    expect(fetched).toEqual([]);
  }, 30_000);
});
