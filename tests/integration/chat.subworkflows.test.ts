import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveChatCaller } from "@/lib/chat/access";
import { saveChatApp } from "@/lib/chat/apps";
import { listMessages } from "@/lib/chat/conversations";
import { readChatEvents } from "@/lib/chat/read-sse";
import type { ChatStreamEvent } from "@/lib/chat/stream";
import { startTurn } from "@/lib/chat/turns";
import { db } from "@/lib/db/client";
import { ingestDocument } from "@/lib/knowledge/ingest";
import { createFilesystemStorage } from "@/lib/storage/filesystem";
import type { Graph } from "@/lib/engine/graph";
import { createWorkflow } from "@/lib/workflows/service";
import { publishWorkflow } from "@/lib/workflows/versions";
import { GET as followAnswer } from "@/app/api/chat/[slug]/messages/[messageId]/stream/route";
import { POST as postTurn } from "@/app/api/chat/[slug]/turns/route";
import { answerLeafGraph, answerRelayGraph, answeringChatGraph, linear, nestedAnswer, nestedChatGraph, tripStart } from "../fixtures/chat-answer-graphs";
import { eventually } from "./helpers/chain";
import { chatStack } from "./helpers/chat-stack";
import { addTestDocument, createTestKnowledgeBase } from "./helpers/knowledge";

/**
 * Answer nodes inside sub-workflows speak in the chat like the turn's own: a conversational
 * workflow answers, runs a relay workflow (which answers too) that runs a leaf workflow whose LLM
 * streams into an Answer, then answers again. The chat stream carries the children's model tokens
 * and answers in run order, `done` and the stored history hold the same text, and a reconnect
 * mid-turn shows the child's text written so far. Real worker process, real routes, the LLM on
 * the OpenAI-wire test server.
 */

const stack = chatStack();
const at = (x: number) => ({ x, y: 0 });
const STREAMED = "Streamed words arrive in pieces.";

async function publish(graph: Graph): Promise<string> {
  const workflow = await createWorkflow(stack.owner, { name: `chat sub ${randomUUID().slice(0, 6)}`, graph });
  await publishWorkflow(stack.owner, workflow.id);
  return workflow.id;
}

/** conversation → Answer → relay (Answer → leaf (LLM → Answer)) → Answer. */
async function publishNestedChatApp() {
  const relay = await publish(answerRelayGraph(await publish(answerLeafGraph(stack.providerId))));
  return saveChatApp(stack.owner, await publish(nestedChatGraph(relay)), { title: "Trips", access: "link" });
}

/** A chat app: conversational Start → Answer `first` → Sub-workflow `childId` (the message as `trip`) → Answer `last`. */
async function publishChatApp(childId: string, first: string, last: string) {
  return saveChatApp(stack.owner, await publish(answeringChatGraph(childId, first, last)), { title: "Trips", access: "link" });
}

const CONTENT = nestedAnswer(STREAMED);

async function read(response: Response): Promise<ChatStreamEvent[]> {
  const events: ChatStreamEvent[] = [];
  await readChatEvents(response.body!, (event) => events.push(event));
  return events;
}

/** The turn's sub-workflow runs, relay first, then leaf. */
async function childRuns(turnRunId: string) {
  const relay = await db().run.findFirstOrThrow({ where: { parentRunId: turnRunId }, select: { id: true } });
  const leaf = await db().run.findFirstOrThrow({ where: { parentRunId: relay.id }, select: { id: true } });
  return { relay: relay.id, leaf: leaf.id };
}

const texts = (events: ChatStreamEvent[], type: "answer" | "token") => events.flatMap((e) => (e.type === type ? [{ nodeId: e.nodeId, text: e.text }] : []));

describe("Answer nodes inside sub-workflows in the chat", () => {
  it("streams the children's tokens and answers in run order, keyed by child run, and stores the same text", async () => {
    const app = await publishNestedChatApp();
    const context = { params: Promise.resolve({ slug: app.slug }) };
    stack.openai.script({ text: STREAMED, delayMs: 300, chunkDelayMs: 40 });
    const response = await postTurn(
      new Request(`http://localhost/api/chat/${app.slug}/turns`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "Oslo" }) }),
      context,
    );
    expect(response.status).toBe(200);
    const events = await read(response);
    const turn = events[0] as Extract<ChatStreamEvent, { type: "turn" }>;
    const { relay, leaf } = await childRuns(turn.runId);
    expect(texts(events, "answer"), JSON.stringify(events)).toEqual([
      { nodeId: "reply", text: "Let me check." },
      { nodeId: `${relay}/reply`, text: "Relay: asking the leaf." },
      { nodeId: `${leaf}/reply`, text: `Leaf: ${STREAMED}` },
      { nodeId: "bye", text: `Done: ${STREAMED}` },
    ]);
    const tokens = texts(events, "token");
    expect(tokens.length).toBeGreaterThan(1);
    expect(new Set(tokens.map((t) => t.nodeId))).toEqual(new Set([`${leaf}/llm`]));
    expect(tokens.map((t) => t.text).join("")).toBe(STREAMED);
    // The model's tokens come between the relay's answer and the leaf's.
    const order = events.flatMap((e) => (e.type === "answer" || e.type === "token" ? [e.nodeId] : []));
    expect(order.indexOf(`${leaf}/llm`)).toBeGreaterThan(order.indexOf(`${relay}/reply`));
    expect(order.lastIndexOf(`${leaf}/llm`)).toBeLessThan(order.indexOf(`${leaf}/reply`));
    expect(events.at(-1)).toMatchObject({ type: "done", status: "succeeded", message: { id: turn.messageId, status: "done", content: CONTENT } });

    // After a reload, the history shows what was streamed.
    const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
    const caller = await resolveChatCaller(app.slug, { user: null, visitorId: cookie.split("=")[1]! });
    const history = await listMessages(caller, turn.conversationId);
    expect(history.map((m) => ({ role: m.role, content: m.content, status: m.status }))).toEqual([
      { role: "user", content: "Oslo", status: "done" },
      { role: "assistant", content: CONTENT, status: "done" },
    ]);
  });

  it("a reconnect while the leaf's model writes shows the answers so far, the leaf's text so far and the rest live", async () => {
    const app = await publishNestedChatApp();
    const visitorId = randomUUID();
    const caller = await resolveChatCaller(app.slug, { user: null, visitorId });
    stack.openai.script({ text: STREAMED, delayMs: 100, chunkDelayMs: 150 });
    const started = await startTurn(caller, { message: "Paris" });
    // The page reloads once the leaf's model has written its first words.
    const written = await eventually(async () => {
      const step = await db().runStep.findFirst({ where: { run: { parentRun: { parentRunId: started.runId } }, nodeId: "llm", status: "running" }, select: { id: true } });
      return step ?? undefined;
    }, 30_000, "the leaf's model to start writing");
    expect(written).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 450));
    const response = await followAnswer(
      new Request(`http://localhost/api/chat/${app.slug}/messages/${started.messageId}/stream`, { headers: { cookie: `weft_chat_visitor=${visitorId}` } }),
      { params: Promise.resolve({ slug: app.slug, messageId: started.messageId }) },
    );
    expect(response.status).toBe(200);
    const events = await read(response);
    const { relay, leaf } = await childRuns(started.runId);
    expect(texts(events, "answer").map((a) => a.nodeId), JSON.stringify(events)).toEqual(["reply", `${relay}/reply`, `${leaf}/reply`, "bye"]);
    const tokens = texts(events, "token");
    // The text written before the reconnect arrives as one piece, then the rest token by token.
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens[0]!.text.length).toBeGreaterThan(0);
    expect(tokens.map((t) => t.text).join("")).toBe(STREAMED);
    expect(events.at(-1)).toMatchObject({ type: "done", status: "succeeded", message: { content: CONTENT, status: "done" } });
  });

  it("keeps run order with a model-free child that ends at once, turn after turn", async () => {
    const child = await publish(
      linear([
        tripStart,
        { id: "reply", type: "answer", position: at(200), data: { text: "Child: {{ start.trip }}" } },
        { id: "end", type: "end", position: at(400), data: { outputs: [{ name: "trip", value: "{{ start.trip }}" }] } },
      ]),
    );
    const app = await publishChatApp(child, "Parent first.", "Parent after {{ sub.output.trip }}.");
    const context = { params: Promise.resolve({ slug: app.slug }) };
    for (const message of ["one", "two", "three"]) {
      const request = new Request(`http://localhost/api/chat/${app.slug}/turns`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message }) });
      const events = await read(await postTurn(request, context));
      const content = `Parent first.\n\nChild: ${message}\n\nParent after ${message}.`;
      expect(texts(events, "answer").map((a) => a.text), JSON.stringify(events)).toEqual(content.split("\n\n"));
      expect(events.at(-1)).toMatchObject({ type: "done", status: "succeeded", message: { content } });
    }
  });

  it("stores the citations of a sub-workflow's knowledge retrieval on the answer", async () => {
    const storageDir = await mkdtemp(path.join(tmpdir(), "weft-chat-sub-kb-"));
    try {
      const deps = { db: db(), storage: createFilesystemStorage(storageDir), enqueue: async () => undefined };
      const kb = await createTestKnowledgeBase(stack.owner.workspaceId, stack.openai.url, { chunkSize: 1000, chunkOverlap: 0 });
      const doc = await addTestDocument(deps, kb.id, "parking.md", "# Parking\n\nStaff badges open the garage gate by the river.");
      await ingestDocument(doc.id, { ...deps, embedder: { allowPrivateNetwork: true } });
      const child = await publish(
        linear([
          tripStart,
          { id: "search", type: "knowledge", position: at(200), data: { knowledgeBaseIds: [kb.id], query: "{{ start.trip }}", mode: "hybrid", topK: 3, filter: [] } },
          { id: "reply", type: "answer", position: at(400), data: { text: "Found it [1]." } },
          { id: "end", type: "end", position: at(600), data: { outputs: [] } },
        ]),
      );
      const app = await publishChatApp(child, "Searching.", "That is all.");
      const request = new Request(`http://localhost/api/chat/${app.slug}/turns`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "garage gate badge" }) });
      const events = await read(await postTurn(request, { params: Promise.resolve({ slug: app.slug }) }));
      expect(events.at(-1), JSON.stringify(events)).toMatchObject({
        type: "done",
        status: "succeeded",
        message: { content: "Searching.\n\nFound it [1].\n\nThat is all.", citations: [{ citation: 1, documentName: "parking.md" }] },
      });
    } finally {
      await rm(storageDir, { recursive: true, force: true });
    }
  });
});
