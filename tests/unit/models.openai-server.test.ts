import { AIMessageChunk, HumanMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOpenAiCompatibleModel as createChatModel } from "@/lib/models/chat-model";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";

/** The fixture itself: wire format, usage consistency, tool calls, errors, control endpoints. */

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const post = (body: unknown, path = "/chat/completions") =>
  fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function sse(response: Response): Promise<unknown[]> {
  const text = await response.text();
  const events = text.split("\n\n").filter(Boolean);
  expect(events.at(-1)).toBe("data: [DONE]");
  return events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, "")) as unknown);
}

const messages = [
  { role: "system", content: "Answer briefly." },
  { role: "user", content: "What is two plus two?" },
];

describe("OpenAI-wire test server", () => {
  it("echoes by default with realistic usage, identical in streaming and non-streaming modes", async () => {
    const plain = (await (await post({ model: "m", messages })).json()) as { choices: { message: { content: string } }[]; usage: unknown; model: string };
    expect(plain.choices[0]?.message.content).toBe("Echo: What is two plus two?");
    expect(plain.model).toBe("m");
    // prompt = words of all messages (2 + 5), completion = words of the reply (6).
    expect(plain.usage).toEqual({ prompt_tokens: 7, completion_tokens: 6, total_tokens: 13 });

    const chunks = (await sse(await post({ model: "m", messages, stream: true, stream_options: { include_usage: true } }))) as {
      choices: { delta: { content?: string }; finish_reason: string | null }[];
      usage?: unknown;
    }[];
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("Echo: What is two plus two?");
    expect(chunks.at(-1)?.usage).toEqual(plain.usage);
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");

    const noUsage = (await sse(await post({ model: "m", messages, stream: true }))) as { usage?: unknown }[];
    expect(noUsage.some((c) => c.usage)).toBe(false);
    expect(server.requests).toHaveLength(3);
  });

  it("serves tool calls that LangChain parses in both modes", async () => {
    const call = { id: "call_1", name: "get_weather", arguments: { city: "Paris", unit: "celsius" } };
    const model = createChatModel({ baseUrl: server.url, model: "test-model", allowPrivateNetwork: true }).bindTools([
      { type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
    ]);

    server.script({ toolCalls: [call] });
    const invoked = await model.invoke([new HumanMessage("Weather in Paris?")]);
    expect(invoked.tool_calls).toEqual([{ id: "call_1", name: "get_weather", args: { city: "Paris", unit: "celsius" }, type: "tool_call" }]);
    expect(server.chatRequests()[0]?.tools).toHaveLength(1);

    server.script({ toolCalls: [call], usage: { prompt_tokens: 40, completion_tokens: 9 } });
    let merged: AIMessageChunk | undefined;
    for await (const chunk of await model.stream([new HumanMessage("Weather in Paris?")])) merged = merged ? merged.concat(chunk) : chunk;
    expect(merged?.tool_calls).toEqual([{ id: "call_1", name: "get_weather", args: { city: "Paris", unit: "celsius" }, type: "tool_call" }]);
    expect(merged?.usage_metadata).toMatchObject({ input_tokens: 40, output_tokens: 9, total_tokens: 49 });
  });

  it("injects errors with OpenAI's body shape and Retry-After", async () => {
    server.script({ error: { status: 429, message: "Slow down", retryAfter: 3 } });
    const response = await post({ model: "m", messages, stream: true });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(await response.json()).toEqual({ error: { message: "Slow down", type: "rate_limit_exceeded", param: null, code: null } });
    expect((await post({ model: "m", messages: [] })).status).toBe(400);
  });

  it("checks the API key when configured, and lists models", async () => {
    const locked = await startOpenAiServer({ apiKey: "sk-right", models: ["a", "b"] });
    try {
      const denied = await fetch(`${locked.url}/models`, { headers: { authorization: "Bearer sk-wrong-1234" } });
      expect(denied.status).toBe(401);
      expect(((await denied.json()) as { error: { message: string } }).error.message).toBe("Incorrect API key provided: sk-***1234.");
      const models = await fetch(`${locked.url}/models`, { headers: { authorization: "Bearer sk-right" } });
      expect(((await models.json()) as { data: { id: string }[] }).data.map((m) => m.id)).toEqual(["a", "b"]);
    } finally {
      await locked.close();
    }
  });

  it("can be scripted over HTTP for out-of-process use", async () => {
    const origin = server.url.replace(/\/v1$/, "");
    await fetch(`${origin}/__script`, { method: "POST", body: JSON.stringify([{ text: "first" }, { text: "second" }]) });
    const first = (await (await post({ model: "m", messages })).json()) as { choices: { message: { content: string } }[] };
    const second = (await (await post({ model: "m", messages })).json()) as { choices: { message: { content: string } }[] };
    expect([first.choices[0]?.message.content, second.choices[0]?.message.content]).toEqual(["first", "second"]);
    const recorded = (await (await fetch(`${origin}/__requests`)).json()) as unknown[];
    expect(recorded).toHaveLength(2);
    await fetch(`${origin}/__reset`, { method: "POST" });
    expect(server.requests).toHaveLength(0);
  });

  it("delays chunks so streaming can be observed", async () => {
    server.script({ text: "a b c d", chunkDelayMs: 60 });
    const started = Date.now();
    const arrivals: number[] = [];
    const model = createChatModel({ baseUrl: server.url, model: "m", allowPrivateNetwork: true });
    for await (const chunk of await model.stream([new HumanMessage("x")])) if (chunk.content) arrivals.push(Date.now() - started);
    expect(arrivals).toHaveLength(4);
    expect(arrivals[3]! - arrivals[0]!).toBeGreaterThanOrEqual(150);
  });
});
