import OpenAI, { APIError } from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { createWorkflow, getWorkflow } from "@/lib/workflows/service";
import { publishWorkflow } from "@/lib/workflows/versions";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { API_BASE, clientFor, createKey, routeFetchLike } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * The OpenAI-compatible endpoint driven by the official `openai` package (its own request building,
 * SSE parsing and error classes) → the route handlers → queue → a real worker process → an LLM
 * node against the OpenAI-wire test server.
 */
let worker: WorkerProcess;
let server: OpenAiServer;
let member: Member;
let secret: string;
let keyId: string;
let assistantSlug: string;
let chatSlug: string;

const openai = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${API_BASE}/api/v1/openai`, fetch: routeFetchLike, maxRetries: 0 });

/** Start(message, history) → LLM (history in the system prompt) → End(answer). */
function chatGraph(providerId: string): Graph {
  return {
    version: 1,
    nodes: [
      {
        id: "start",
        type: "start",
        position: { x: 0, y: 0 },
        data: {
          inputs: [
            { name: "topic", label: "Topic", type: "string", required: false, description: "" },
            { name: "message", label: "Message", type: "string", required: true, description: "" },
            { name: "history", label: "History", type: "array", required: false, description: "" },
          ],
        },
      },
      {
        id: "llm",
        type: "llm",
        position: { x: 300, y: 0 },
        data: { providerId, model: "test-model", systemPrompt: "Earlier: {{ start.history }}", userPrompt: "{{ start.message }}", temperature: 0, outputFormat: "text", jsonSchema: "" },
      },
      { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "answer", value: "{{ llm.text }}" }] } },
    ],
    edges: [
      { id: "a", source: "start", target: "llm" },
      { id: "b", source: "llm", target: "end" },
    ],
  };
}

async function errorOf(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

const runIdOf = (completionId: string) => completionId.replace(/^chatcmpl-/, "");

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: "sk-test-key-1234" });
  worker = await startWorkerProcess();
  member = await createTestMember("developer");
  const providerId = (await createTestProvider(member.workspaceId, server.url)).id;
  const [assistant] = exampleWorkflows({ providerId, model: "test-model" });
  const assistantId = (await createWorkflow(member, { name: assistant!.name, graph: assistant!.graph })).id;
  await publishWorkflow(member, assistantId, "first");
  await publishWorkflow(member, assistantId, "second");
  assistantSlug = (await getWorkflow(member, assistantId)).slug;
  const chatId = (await createWorkflow(member, { name: "Support chat", graph: chatGraph(providerId) })).id;
  await publishWorkflow(member, chatId);
  chatSlug = (await getWorkflow(member, chatId)).slug;
  // A draft that was never published is not a model.
  await createWorkflow(member, { name: "Unpublished draft" });
  ({ secret, id: keyId } = await createKey(member));
});

beforeEach(() => server.reset());

afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

describe("GET /api/v1/openai/models", () => {
  it("lists the published workflows by slug, and retrieves one", async () => {
    const client = openai(secret);
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(assistantSlug).toBe("ask-the-assistant");
    expect(ids.sort()).toEqual([assistantSlug, chatSlug].sort());
    const one = await client.models.retrieve(assistantSlug);
    expect(one).toMatchObject({ id: assistantSlug, object: "model", owned_by: member.workspaceName });
    const missing = await errorOf(client.models.retrieve("unpublished-draft"));
    expect([missing.status, missing.code]).toEqual([404, "model_not_found"]);
  });
});

describe("POST /api/v1/openai/chat/completions", () => {
  it("non-streaming: the End output is the message, the LLM steps' tokens the usage; the run records trigger openai and the key", async () => {
    server.script({ text: "Bonjour Ada", usage: { prompt_tokens: 9, completion_tokens: 2 } });
    const completion = await openai(secret).chat.completions.create({ model: assistantSlug, messages: [{ role: "user", content: "greet Ada in French" }] });
    expect(completion).toMatchObject({
      object: "chat.completion",
      model: assistantSlug,
      choices: [{ index: 0, message: { role: "assistant", content: "Bonjour Ada" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
    });
    // The last user message became the first text input (the assistant declares `question`).
    expect(server.chatRequests()[0]!.messages!.at(-1)).toMatchObject({ role: "user", content: "greet Ada in French" });
    const run = await db().run.findUniqueOrThrow({ where: { id: runIdOf(completion.id) } });
    expect(run).toMatchObject({ trigger: "openai", apiKeyId: keyId, status: "succeeded" });
    const listed = await clientFor(secret).listRuns({ trigger: "openai" });
    expect(listed.runs.map((r) => r.id)).toContain(run.id);
    expect(listed.runs.every((r) => r.trigger === "openai")).toBe(true);
  });

  it("streaming: chat.completion.chunk events carry the LLM's tokens as they arrive, then finish_reason stop, usage and [DONE]", async () => {
    server.script({ text: "streamed words arrive one by one", chunkDelayMs: 40, usage: { prompt_tokens: 5, completion_tokens: 6 } });
    const stream = await openai(secret).chat.completions.create({
      model: assistantSlug,
      messages: [{ role: "user", content: "stream please" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === assistantSlug)).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    const pieces = chunks.flatMap((c) => (c.choices[0]?.delta.content ? [c.choices[0].delta.content] : []));
    expect(pieces.join("")).toBe("streamed words arrive one by one");
    // Token by token from the run's delta events, not one block at the end.
    expect(pieces.length).toBeGreaterThan(3);
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 });
    const run = await db().run.findUniqueOrThrow({ where: { id: runIdOf(chunks[0]!.id) } });
    expect(run.trigger).toBe("openai");
  });

  it("maps the last user message to `message` and the earlier turns to `history`", async () => {
    server.script({ text: "You asked about refunds." });
    const completion = await openai(secret).chat.completions.create({
      model: chatSlug,
      messages: [
        { role: "system", content: "be nice" },
        { role: "user", content: "first question" },
        { role: "assistant", content: [{ type: "text", text: "first answer" }] },
        { role: "user", content: "what did I ask?" },
      ],
    });
    expect(completion.choices[0]!.message.content).toBe("You asked about refunds.");
    const sent = server.chatRequests()[0]!.messages!;
    expect(sent.at(-1)).toMatchObject({ role: "user", content: "what did I ask?" });
    const system = String(sent[0]!.content);
    expect(system).toContain("first question");
    expect(system).toContain("first answer");
    const run = await db().run.findUniqueOrThrow({ where: { id: runIdOf(completion.id) } });
    expect(run.inputs).toMatchObject({
      message: "what did I ask?",
      history: [
        { role: "system", content: "be nice" },
        { role: "user", content: "first question" },
        { role: "assistant", content: "first answer" },
      ],
    });
  });

  it("pins a version with slug@version; a version that does not exist is an unknown model", async () => {
    server.script({ text: "from version one" });
    const completion = await openai(secret).chat.completions.create({ model: `${assistantSlug}@1`, messages: [{ role: "user", content: "hi" }] });
    expect(completion.choices[0]!.message.content).toBe("from version one");
    const run = await db().run.findUniqueOrThrow({ where: { id: runIdOf(completion.id) }, include: { workflowVersion: true } });
    expect(run.workflowVersion?.version).toBe(1);
    const error = await errorOf(openai(secret).chat.completions.create({ model: `${assistantSlug}@9`, messages: [{ role: "user", content: "hi" }] }));
    expect([error.status, error.code, error.param]).toEqual([404, "model_not_found", "model"]);
  });

  it("a wrong key is a 401 in OpenAI's error shape", async () => {
    const error = await errorOf(openai("weft_" + "x".repeat(43)).chat.completions.create({ model: assistantSlug, messages: [{ role: "user", content: "hi" }] }));
    expect(error.status).toBe(401);
    expect(error.code).toBe("invalid_api_key");
    expect(error.type).toBe("invalid_request_error");
    expect(error.message).toMatch(/unknown or has been revoked/);
    expect(error.headers?.get("www-authenticate")).toBe('Bearer realm="weft"');
    const notAKey = await errorOf(openai("sk-not-weft").models.list());
    expect(notAKey.status).toBe(401);
  });

  it("an unknown model is a 404 model_not_found, and starts nothing", async () => {
    const before = await db().run.count({ where: { workspaceId: member.workspaceId } });
    const error = await errorOf(openai(secret).chat.completions.create({ model: "no-such-workflow", messages: [{ role: "user", content: "hi" }], stream: true }));
    expect(error).toMatchObject({ status: 404, code: "model_not_found", param: "model", type: "invalid_request_error" });
    expect(error.message).toMatch(/no-such-workflow/);
    expect(await db().run.count({ where: { workspaceId: member.workspaceId } })).toBe(before);
  });

  it("an invalid body is a 400 naming the problem; no user message is a 400; a key without runs:write is a 403", async () => {
    const empty = await errorOf(openai(secret).chat.completions.create({ model: assistantSlug, messages: [] }));
    expect([empty.status, empty.type, empty.param]).toEqual([400, "invalid_request_error", "messages"]);
    expect(empty.message).toMatch(/messages must not be empty/);
    const noUser = await errorOf(openai(secret).chat.completions.create({ model: assistantSlug, messages: [{ role: "system", content: "hi" }] }));
    expect([noUser.status, noUser.code]).toEqual([400, "invalid_messages"]);
    const readOnly = (await createKey(member, ["workflows:read"])).secret;
    const refused = await errorOf(openai(readOnly).chat.completions.create({ model: assistantSlug, messages: [{ role: "user", content: "hi" }] }));
    expect(refused.status).toBe(403);
    expect(refused.message).toMatch(/runs:write/);
  });

  it("a client that stops reading a stream cancels the run", async () => {
    server.script({ text: "one two three four five six seven eight nine ten eleven twelve", chunkDelayMs: 200 });
    const abort = new AbortController();
    const stream = await openai(secret).chat.completions.create({ model: assistantSlug, messages: [{ role: "user", content: "long" }], stream: true }, { signal: abort.signal });
    let runId = "";
    const reading = (async () => {
      for await (const chunk of stream) {
        runId = runIdOf(chunk.id);
        if (chunk.choices[0]?.delta.content) abort.abort();
      }
    })();
    await reading.catch(() => undefined);
    expect(runId).not.toBe("");
    await expect.poll(async () => (await db().run.findUniqueOrThrow({ where: { id: runId } })).status, { timeout: 10_000 }).toBe("cancelled");
  });

  it("a run that fails ends the stream with an error the client raises", async () => {
    server.script({ error: { status: 400, message: "model refused the prompt" } });
    const stream = await openai(secret).chat.completions.create({ model: assistantSlug, messages: [{ role: "user", content: "fail" }], stream: true });
    const error = await errorOf(
      (async () => {
        for await (const chunk of stream) void chunk;
      })(),
    );
    expect(error.message).toMatch(/failed/);
  });
});
