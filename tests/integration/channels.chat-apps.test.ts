import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import OpenAI, { APIError } from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { createWorkflow, getWorkflow, renameWorkflow } from "@/lib/workflows/service";
import { publishWorkflow } from "@/lib/workflows/versions";
import { answerLeafGraph, answerRelayGraph, chatStart, linear, nestedAnswer, nestedChatGraph, tripStart } from "../fixtures/chat-answer-graphs";
import { questionLeafGraph, relayGraph, subworkflowChatGraph } from "../fixtures/chat-wait-graphs";
import { chunksOf, startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { API_BASE, connectMcp, createKey, routeFetchLike } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * A chat app (a conversational workflow that speaks through Answer nodes, its End giving no
 * answer) called by an OpenAI client (the official `openai` package) and by an MCP client (the
 * MCP SDK's): both get what the chat shows, the Answer texts of the run and of its sub-workflow
 * runs at any depth, in run order, joined by a blank line; streamed, the chunks add up to the same
 * text. Real routes, queue and worker process; the LLM on the OpenAI-wire test server.
 */
let worker: WorkerProcess;
let server: OpenAiServer;
let member: Member;
let secret: string;
let twoAnswers: string;
let nested: string;
let asksDeep: string;
let parallel: string;
const clients: Client[] = [];

const WRITTEN = "Oslo has fjords and a long winter.";
const at = (x: number) => ({ x, y: 0 });

const openai = () => new OpenAI({ apiKey: secret, baseURL: `${API_BASE}/api/v1/openai`, fetch: routeFetchLike, maxRetries: 0 });

async function publish(name: string, graph: Graph, exposeAsTool = false): Promise<{ id: string; slug: string }> {
  const { id } = await createWorkflow(member, { name, graph });
  await publishWorkflow(member, id);
  if (exposeAsTool) await renameWorkflow(member, id, { name, exposeAsTool: true });
  return { id, slug: (await getWorkflow(member, id)).slug };
}

/** The conversation's model writes, two Answers speak (the first one quoting it), the End says nothing. */
const twoAnswersGraph = (providerId: string) =>
  linear([
    chatStart,
    { id: "llm", type: "llm", position: at(200), data: { providerId, model: "test-model", systemPrompt: "", userPrompt: "{{ start.message }}" } },
    { id: "hello", type: "answer", position: at(400), data: { text: "Here is what I know: {{ llm.text }}" } },
    { id: "more", type: "answer", position: at(600), data: { text: "Anything else about {{ start.message }}?" } },
    { id: "end", type: "end", position: at(800), data: { outputs: [] } },
  ]);
/**
 * A child that speaks at once, then waits on its model; its parent meanwhile waits on its own model
 * on a parallel branch, then speaks. Both models answer after the same delay, the child's called
 * later: the child speaks first, the parent's branch second, and the parent's Sub-workflow step
 * ends last.
 */
const earlyChildGraph = (providerId: string) =>
  linear([
    tripStart,
    { id: "hello", type: "answer", position: at(200), data: { text: "Child: on it." } },
    { id: "llm", type: "llm", position: at(400), data: { providerId, model: "test-model", systemPrompt: "", userPrompt: "{{ start.trip }}" } },
    { id: "end", type: "end", position: at(600), data: { outputs: [{ name: "text", value: "{{ llm.text }}" }] } },
  ]);
const parallelGraph = (providerId: string, childId: string): Graph => ({
  version: 1,
  nodes: [
    chatStart,
    { id: "sub", type: "subworkflow", position: at(200), data: { workflowId: childId, inputs: [{ name: "trip", value: "{{ start.message }}" }] } },
    { id: "llm", type: "llm", position: at(200), data: { providerId, model: "test-model", systemPrompt: "", userPrompt: "{{ start.message }}" } },
    { id: "branch", type: "answer", position: at(400), data: { text: "Branch: done." } },
    { id: "end", type: "end", position: at(600), data: { outputs: [] } },
  ],
  edges: [
    { id: "e1", source: "start", target: "sub" },
    { id: "e2", source: "start", target: "llm" },
    { id: "e3", source: "llm", target: "branch" },
    { id: "e4", source: "sub", target: "end" },
    { id: "e5", source: "branch", target: "end" },
  ],
});
const PARALLEL_ANSWER = "Child: on it.\n\nBranch: done.";

const twoAnswersText = (message: string) => `Here is what I know: ${WRITTEN}\n\nAnything else about ${message}?`;
const NESTED = nestedAnswer(WRITTEN);

async function connect(): Promise<Client> {
  const client = await connectMcp(secret);
  clients.push(client);
  return client;
}

/** The content pieces of a streamed completion, in order, and the error the client raised at the end, if any. */
async function streamedPieces(model: string, message: string): Promise<{ pieces: string[]; runId: string; error?: unknown }> {
  const stream = await openai().chat.completions.create({ model, messages: [{ role: "user", content: message }], stream: true });
  const pieces: string[] = [];
  let runId = "";
  try {
    for await (const chunk of stream) {
      runId = chunk.id.replace(/^chatcmpl-/, "");
      if (chunk.choices[0]?.delta.content) pieces.push(chunk.choices[0].delta.content);
    }
  } catch (error) {
    return { pieces, runId, error };
  }
  return { pieces, runId };
}

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: "sk-test-key-1234" });
  worker = await startWorkerProcess();
  member = await createTestMember("developer");
  const providerId = (await createTestProvider(member.workspaceId, server.url)).id;
  twoAnswers = (await publish("Trip chat", twoAnswersGraph(providerId), true)).slug;
  // conversation → Answer → relay (Answer → leaf (LLM → Answer)) → Answer, as in the chat's sub-workflow tests.
  const leaf = await publish("Leaf", answerLeafGraph(providerId));
  nested = (await publish("Trips", nestedChatGraph((await publish("Relay", answerRelayGraph(leaf.id))).id), true)).slug;
  const relay = await publish("Ask relay", relayGraph((await publish("Ask leaf", questionLeafGraph())).id));
  asksDeep = (await publish("Booking", subworkflowChatGraph(relay.id))).slug;
  parallel = (await publish("Parallel", parallelGraph(providerId, (await publish("Early child", earlyChildGraph(providerId))).id))).slug;
  ({ secret } = await createKey(member));
});

beforeEach(() => server.reset());

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await worker?.stop();
  await server?.close();
});

describe("a chat app through the OpenAI endpoint", () => {
  it("non-streaming: the message is the Answer texts joined, not the End output", async () => {
    server.script({ text: WRITTEN });
    const completion = await openai().chat.completions.create({ model: twoAnswers, messages: [{ role: "user", content: "Oslo" }] });
    expect(completion.choices[0]!.message.content).toBe(twoAnswersText("Oslo"));
    const run = await db().run.findUniqueOrThrow({ where: { id: completion.id.replace(/^chatcmpl-/, "") } });
    expect(run).toMatchObject({ trigger: "openai", status: "succeeded", output: {} });
  });

  it("streaming: the Answer the model feeds comes token by token as the model writes, the next Answer whole; they add up to the same message", async () => {
    // Tokens further apart than the worker's delta window (50 ms) each leave as they come.
    server.script({ text: WRITTEN, chunkDelayMs: 80 });
    const { pieces } = await streamedPieces(twoAnswers, "Bergen");
    // The Answer's leading text with the model's first token, then the tokens as the model sent them.
    const tokens = chunksOf(WRITTEN);
    expect(pieces[0]).toBe(`Here is what I know: ${tokens[0]}`);
    expect(pieces.slice(0, -1).join("")).toBe(`Here is what I know: ${WRITTEN}`);
    expect(pieces.length, JSON.stringify(pieces)).toBeGreaterThanOrEqual(tokens.length / 2 + 1);
    expect(pieces.at(-1)).toBe("\n\nAnything else about Bergen?");
    server.script({ text: WRITTEN });
    const completion = await openai().chat.completions.create({ model: twoAnswers, messages: [{ role: "user", content: "Bergen" }] });
    expect(pieces.join("")).toBe(completion.choices[0]!.message.content);
  });

  it("a sub-workflow's Answers (at any depth) stand where its step ran, streamed or not", async () => {
    server.script({ text: WRITTEN });
    const completion = await openai().chat.completions.create({ model: nested, messages: [{ role: "user", content: "Oslo" }] });
    expect(completion.choices[0]!.message.content).toBe(NESTED);
    // Streamed, the parent waits for its child runs meanwhile: the stream goes on through it.
    server.script({ text: WRITTEN, chunkDelayMs: 30 });
    const { pieces, runId } = await streamedPieces(nested, "Oslo");
    expect(pieces.join(""), JSON.stringify(pieces)).toBe(NESTED);
    expect(pieces).toEqual(NESTED.split("\n\n").map((text, i) => (i ? `\n\n${text}` : text)));
    expect(await db().run.count({ where: { parentRun: { parentRunId: runId } } })).toBe(1);
  });

  it("parallel branches: the answer is in the order the Answers spoke, streamed or not, not in the order their steps ended", async () => {
    // The parent's Sub-workflow step ends after its parallel branch spoke, though its child spoke before.
    const slowModel = () => server.script({ text: "fine", delayMs: 800 });
    slowModel();
    slowModel();
    const { pieces } = await streamedPieces(parallel, "Oslo");
    expect(pieces).toEqual(["Child: on it.", "\n\nBranch: done."]);
    slowModel();
    slowModel();
    const completion = await openai().chat.completions.create({ model: parallel, messages: [{ role: "user", content: "Oslo" }] });
    expect(completion.choices[0]!.message.content).toBe(PARALLEL_ANSWER);
    const runId = completion.id.replace(/^chatcmpl-/, "");
    const steps = await db().runStep.findMany({ where: { runId, nodeId: { in: ["sub", "branch"] } }, orderBy: { finishedAt: "asc" } });
    expect(steps.map((step) => step.nodeId)).toEqual(["branch", "sub"]);
  });

  it("streaming: a Question asked two sub-workflows down ends the stream with an error after the answers so far", async () => {
    const { pieces, runId, error } = await streamedPieces(asksDeep, "a trip");
    expect(pieces).toEqual(["Let me book that for you."]);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toMatch(/is waiting for an answer/);
    expect((await db().run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("waiting");
  });
});

describe("a chat app as an MCP tool", () => {
  it("the tool result's text is the Answer texts joined; structuredContent stays the End output", async () => {
    const client = await connect();
    server.script({ text: WRITTEN });
    const result = await client.callTool({ name: twoAnswers, arguments: { message: "Oslo" } });
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: "text", text: twoAnswersText("Oslo") }]);
    expect(result.structuredContent).toEqual({});
    server.script({ text: WRITTEN });
    const deep = await client.callTool({ name: nested, arguments: { message: "Oslo" } });
    expect(deep.content).toEqual([{ type: "text", text: NESTED }]);
  });
});
