import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { resolveChatCaller } from "@/lib/chat/access";
import { saveChatApp } from "@/lib/chat/apps";
import { listMessages } from "@/lib/chat/conversations";
import { readChatEvents } from "@/lib/chat/read-sse";
import type { ChatStreamEvent } from "@/lib/chat/stream";
import { startTurn } from "@/lib/chat/turns";
import { answerChatWait } from "@/lib/chat/waits";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { createWorkflow } from "@/lib/workflows/service";
import { publishWorkflow } from "@/lib/workflows/versions";
import { POST as postAnswer } from "@/app/api/chat/[slug]/messages/[messageId]/answer/route";
import { POST as postTurn } from "@/app/api/chat/[slug]/turns/route";
import { approvalChatGraph, questionChatGraph, questionLeafGraph, relayGraph, subworkflowChatGraph } from "../fixtures/chat-wait-graphs";
import { createTestMember } from "./helpers/members";
import { eventually } from "./helpers/chain";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Waits inside a chat turn: the run of a turn reaches a Question (or an approval), the chat stream
 * shows it and pauses, the conversation's owner answers in the chat, and the rest of the turn
 * streams into the same message. Real worker process, real routes.
 */

let worker: WorkerProcess;
let owner: Member;
const at = (x: number) => ({ x, y: 0 });

async function publishChatApp(graph: Graph) {
  const workflow = await createWorkflow(owner, { name: `chat wait ${randomUUID().slice(0, 6)}`, graph });
  await publishWorkflow(owner, workflow.id);
  return saveChatApp(owner, workflow.id, { title: "Bookings", access: "link" });
}

async function events(response: Response): Promise<ChatStreamEvent[]> {
  const list: ChatStreamEvent[] = [];
  await readChatEvents(response.body!, (event) => list.push(event));
  return list;
}

async function finished(messageId: string) {
  return eventually(async () => {
    const message = await db().message.findUniqueOrThrow({ where: { id: messageId } });
    return message.status !== "pending" && message;
  }, 60_000, "the message to be written");
}

beforeAll(async () => {
  owner = await createTestMember("owner");
  worker = await startWorkerProcess();
});

afterAll(async () => {
  await worker?.stop();
  await db().$disconnect();
});

describe("waits in the chat", () => {
  it("pauses the turn on a Question, lets only the conversation's owner answer, and streams the rest into the same message", async () => {
    const app = await publishChatApp(questionChatGraph());
    const context = { params: Promise.resolve({ slug: app.slug }) };
    const turnRequest = new Request(`http://localhost/api/chat/${app.slug}/turns`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "a trip" }) });
    const first = await postTurn(turnRequest, context);
    expect(first.status).toBe(200);
    const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
    const paused = await events(first);
    const turn = paused[0] as Extract<ChatStreamEvent, { type: "turn" }>;
    expect(turn.type).toBe("turn");
    expect(paused.filter((e) => e.type === "answer").map((e) => (e as { text: string }).text)).toContain("Let me book that for you.");
    const wait = paused.find((e) => e.type === "wait") as Extract<ChatStreamEvent, { type: "wait" }>;
    expect(wait, JSON.stringify(paused)).toMatchObject({ kind: "question", nodeId: "ask", request: { title: "Where to?", prompt: "Which city, for: a trip", fields: [{ name: "city" }] } });
    // The stream closed without `done`: the run waits and holds no worker.
    expect(paused.some((e) => e.type === "done")).toBe(false);
    expect((await db().run.findUniqueOrThrow({ where: { id: turn.runId } })).status).toBe("waiting");

    // A reload lists the pending answer with the form's wait.
    const visitorId = cookie.split("=")[1]!;
    const ada = await resolveChatCaller(app.slug, { user: null, visitorId });
    const pending = (await listMessages(ada, turn.conversationId)).find((m) => m.id === turn.messageId)!;
    expect(pending).toMatchObject({ status: "pending", waits: [{ id: wait.waitId, kind: "question", nodeId: "ask" }] });

    const answerRequest = (body: unknown, visitorCookie: string) =>
      new Request(`http://localhost/api/chat/${app.slug}/messages/${turn.messageId}/answer`, { method: "POST", headers: { "content-type": "application/json", cookie: visitorCookie }, body: JSON.stringify(body) });
    const answerContext = { params: Promise.resolve({ slug: app.slug, messageId: turn.messageId }) };
    // Another visitor (and a stranger without a cookie) cannot answer: the same 404 as a wrong id.
    const bob = await postAnswer(answerRequest({ waitId: wait.waitId, answer: { city: "Oslo" } }, `weft_chat_visitor=${randomUUID()}`), answerContext);
    expect(bob.status).toBe(404);
    // An answer that does not fit the fields is refused and loses nothing.
    const empty = await postAnswer(answerRequest({ waitId: wait.waitId, answer: { city: " " } }, cookie), answerContext);
    expect(empty.status).toBe(400);
    expect((await db().runWait.findUniqueOrThrow({ where: { id: wait.waitId } })).status).toBe("pending");

    const resumed = await postAnswer(answerRequest({ waitId: wait.waitId, answer: { city: "Paris" } }, cookie), answerContext);
    expect(resumed.status).toBe(200);
    const rest = await events(resumed);
    expect(rest.filter((e) => e.type === "answer").map((e) => (e as { text: string }).text)).toContain("Booked: Paris.");
    expect(rest.at(-1), JSON.stringify(rest)).toMatchObject({ type: "done", status: "succeeded", message: { id: turn.messageId, status: "done", content: "Let me book that for you.\n\nBooked: Paris." } });
    const stored = await db().runWait.findUniqueOrThrow({ where: { id: wait.waitId } });
    expect(stored.response).toMatchObject({ answer: { city: "Paris" }, by: { kind: "visitor", id: visitorId } });
    // Answered once: a second answer is a conflict.
    const again = await postAnswer(answerRequest({ waitId: wait.waitId, answer: { city: "Rome" } }, cookie), answerContext);
    expect(again.status).toBe(409);
  });

  it("shows a Question asked two sub-workflows down, lets only the conversation's owner answer it, and streams the rest of the turn", async () => {
    const publishPlain = async (graph: Graph) => {
      const workflow = await createWorkflow(owner, { name: `chat child ${randomUUID().slice(0, 6)}`, graph });
      await publishWorkflow(owner, workflow.id);
      return workflow.id;
    };
    const relay = await publishPlain(relayGraph(await publishPlain(questionLeafGraph())));
    const app = await publishChatApp(subworkflowChatGraph(relay));
    const context = { params: Promise.resolve({ slug: app.slug }) };
    const turnRequest = (message: string, cookie?: string) =>
      new Request(`http://localhost/api/chat/${app.slug}/turns`, { method: "POST", headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) }, body: JSON.stringify({ message }) });
    const first = await postTurn(turnRequest("a trip"), context);
    expect(first.status).toBe(200);
    const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
    const paused = await events(first);
    const turn = paused[0] as Extract<ChatStreamEvent, { type: "turn" }>;
    const wait = paused.find((e) => e.type === "wait") as Extract<ChatStreamEvent, { type: "wait" }>;
    // The turn's stream followed the child runs and closed once the whole turn was parked on the form.
    expect(wait, JSON.stringify(paused)).toMatchObject({ kind: "question", nodeId: "ask", request: { title: "Where to?", prompt: "Which city, for: a trip" } });
    expect(paused.some((e) => e.type === "done")).toBe(false);
    const waitRow = await db().runWait.findUniqueOrThrow({ where: { id: wait.waitId }, select: { run: { select: { depth: true, status: true } } } });
    expect(waitRow.run).toEqual({ depth: 2, status: "waiting" });
    expect((await db().run.findUniqueOrThrow({ where: { id: turn.runId } })).status).toBe("waiting");

    // A reload lists the pending answer with the grandchild's form.
    const ada = await resolveChatCaller(app.slug, { user: null, visitorId: cookie.split("=")[1]! });
    const pending = (await listMessages(ada, turn.conversationId)).find((m) => m.id === turn.messageId)!;
    expect(pending).toMatchObject({ status: "pending", waits: [{ id: wait.waitId, kind: "question", nodeId: "ask" }] });

    // Another visitor cannot answer it: not through Ada's message, nor through a turn of their own.
    const bobCookie = `weft_chat_visitor=${randomUUID()}`;
    const answerRequest = (messageId: string, body: unknown, visitorCookie: string) =>
      new Request(`http://localhost/api/chat/${app.slug}/messages/${messageId}/answer`, { method: "POST", headers: { "content-type": "application/json", cookie: visitorCookie }, body: JSON.stringify(body) });
    const answerContext = (messageId: string) => ({ params: Promise.resolve({ slug: app.slug, messageId }) });
    const viaAda = await postAnswer(answerRequest(turn.messageId, { waitId: wait.waitId, answer: { city: "Oslo" } }, bobCookie), answerContext(turn.messageId));
    expect(viaAda.status).toBe(404);
    const bob = await resolveChatCaller(app.slug, { user: null, visitorId: bobCookie.split("=")[1]! });
    const bobTurn = await startTurn(bob, { message: "my trip" });
    await expect(answerChatWait(bob, bobTurn.messageId, { waitId: wait.waitId, answer: { city: "Oslo" } })).rejects.toMatchObject({ code: "not_found" });
    expect((await db().runWait.findUniqueOrThrow({ where: { id: wait.waitId } })).status).toBe("pending");

    const resumed = await postAnswer(answerRequest(turn.messageId, { waitId: wait.waitId, answer: { city: "Paris" } }, cookie), answerContext(turn.messageId));
    expect(resumed.status).toBe(200);
    const rest = await events(resumed);
    expect(rest.at(-1), JSON.stringify(rest)).toMatchObject({ type: "done", status: "succeeded", message: { id: turn.messageId, status: "done", content: "Let me book that for you.\n\nBooked: Paris." } });
    expect(await db().auditEvent.findFirst({ where: { targetId: turn.runId, action: "question.answered" }, select: { metadata: true } })).toMatchObject({ metadata: { waitId: wait.waitId, via: "chat", subworkflowRunId: expect.any(String) } });
  });

  // A run this quick may end before startTurn links its message (then startTurn writes the answer);
  // the order is not forced here, only that every such turn ends written.
  it("writes the answer of model-free turns that end at once", async () => {
    const quick = await publishChatApp({
      version: 1,
      nodes: [
        { id: "start", type: "start", position: at(0), data: { inputs: [], conversation: { enabled: true, variables: [] } } },
        { id: "reply", type: "answer", position: at(200), data: { text: "You said: {{ start.message }}" } },
        { id: "end", type: "end", position: at(400), data: { outputs: [] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "reply" },
        { id: "e2", source: "reply", target: "end" },
      ],
    } as Graph);
    const visitor = await resolveChatCaller(quick.slug, { user: null, visitorId: randomUUID() });
    for (const text of ["one", "two", "three"]) {
      const turn = await startTurn(visitor, { message: text });
      expect(await finished(turn.messageId)).toMatchObject({ status: "done", content: `You said: ${text}` });
    }
  });

  it("an approval that requires a role is decided only by a member holding it; the decision resumes the turn", async () => {
    const app = await publishChatApp(approvalChatGraph("admin"));
    const visitor = await resolveChatCaller(app.slug, { user: null, visitorId: randomUUID() });
    const turn = await startTurn(visitor, { message: "Refund order 42" });
    const wait = await eventually(() => db().runWait.findFirst({ where: { runId: turn.runId, status: "pending" } }).then((w) => w ?? undefined), 30_000, "the approval wait");
    await expect(answerChatWait(visitor, turn.messageId, { waitId: wait.id, answer: { decision: "approve" } })).rejects.toMatchObject({ code: "forbidden" });

    const open = await publishChatApp(approvalChatGraph(null));
    const member = await resolveChatCaller(open.slug, { user: { id: owner.userId, email: owner.email, name: owner.name }, visitorId: null });
    const own = await startTurn(member, { message: "Refund order 43" });
    const gate = await eventually(() => db().runWait.findFirst({ where: { runId: own.runId, status: "pending" } }).then((w) => w ?? undefined), 30_000, "the approval wait");
    // Someone else's message: 404 even with the right wait id.
    await expect(answerChatWait(visitor, own.messageId, { waitId: gate.id, answer: { decision: "approve" } })).rejects.toMatchObject({ code: "not_found" });
    await answerChatWait(member, own.messageId, { waitId: gate.id, answer: { decision: "approve", comment: "ok by me" } });
    const message = await finished(own.messageId);
    expect(message).toMatchObject({ status: "done", content: "Refund sent (ok by me)." });
  });
});
