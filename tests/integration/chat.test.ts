import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { resolveChatCaller, type ChatCaller } from "@/lib/chat/access";
import { saveChatApp } from "@/lib/chat/apps";
import { giveFeedback, listMessages } from "@/lib/chat/conversations";
import { chatTurnOfRun } from "@/lib/chat/run-feedback";
import { startTurn, stopTurn } from "@/lib/chat/turns";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { publishWorkflow } from "@/lib/workflows/versions";
import type { RunEvent } from "@/lib/engine/run-ports";
import { subscribeBeforeCreate } from "@/lib/runs/follow";
import { runEventStream } from "@/lib/api/run-stream";
import { readEvents } from "./helpers/session";
import { setWorkflowLimits } from "@/lib/limits/budgets";
import { readChatEvents } from "@/lib/chat/read-sse";
import type { ChatStreamEvent } from "@/lib/chat/stream";
import { POST as postTurn } from "@/app/api/chat/[slug]/turns/route";
import { GET as getApp } from "@/app/api/chat/[slug]/route";
import { GET as followAnswer } from "@/app/api/chat/[slug]/messages/[messageId]/stream/route";
import { createWorkflow } from "@/lib/workflows/service";
import { SUMMARY_HEADING, SUMMARY_SYSTEM_PROMPT } from "@/lib/nodes/memory-summary";
import { createMemoryPort } from "@/lib/chat/memory-port";
import { createTestMember } from "./helpers/members";
import { waitForRun } from "./helpers/runs";
import { chatStack } from "./helpers/chat-stack";

/**
 * Chat apps end to end: a conversational workflow published as a chat app, turns started through
 * the chat service as normal runs executed by a real worker process, the LLM node calling the
 * OpenAI-wire test server (whose recorded requests show the history the model received).
 */

const stack = chatStack();

const at = (x: number) => ({ x, y: 0 });

/** Start (conversational, `turns` persists) → count the turn → LLM with memory → Answer → End. */
function chatGraph(memory: Record<string, unknown>): Graph {
  return {
    version: 1,
    variables: [{ name: "turns", type: "number", default: 0 }],
    nodes: [
      { id: "start", type: "start", position: at(0), data: { inputs: [], conversation: { enabled: true, variables: ["turns"] } } },
      { id: "count", type: "assign", position: at(200), data: { assignments: [{ variable: "turns", operation: "increment", mode: "expression", value: "" }] } },
      { id: "llm", type: "llm", position: at(400), data: { providerId: stack.providerId, model: "test-model", systemPrompt: "Be brief.", userPrompt: "{{ start.message }}", memory } },
      { id: "reply", type: "answer", position: at(600), data: { text: "{{ llm.text }} (turn {{ var.turns }})" } },
      { id: "end", type: "end", position: at(800), data: { outputs: [{ name: "answer", value: "{{ llm.text }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "count" },
      { id: "e2", source: "count", target: "llm" },
      { id: "e3", source: "llm", target: "reply" },
      { id: "e4", source: "reply", target: "end" },
    ],
  } as Graph;
}

async function publishChatApp(graph: Graph, access: { access: "members" | "link" | "domain"; allowedDomains?: string[] }) {
  const workflow = await createWorkflow(stack.owner, { name: `chat ${randomUUID().slice(0, 6)}`, graph });
  await publishWorkflow(stack.owner, workflow.id);
  const app = await saveChatApp(stack.owner, workflow.id, { title: "Helpdesk", welcome: "Hello!", suggestions: ["What can you do?"], ...access });
  return { workflow, app };
}

/** The turn's run finished and the worker wrote the answer (it does so before publishing the end). */
async function finishedTurn(runId: string, messageId: string) {
  const run = await waitForRun(runId, 60_000);
  for (let i = 0; i < 100; i++) {
    const message = await db().message.findUniqueOrThrow({ where: { id: messageId } });
    if (message.status !== "pending") return { run, message };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`message ${messageId} still pending`);
}

async function turn(caller: ChatCaller, message: string, conversationId?: string) {
  const started = await startTurn(caller, { message, conversationId });
  return { ...started, ...(await finishedTurn(started.runId, started.messageId)) };
}

describe("conversational workflows through the chat service", () => {
  it("runs three turns with memory of the last turn and a conversation variable that persists", async () => {
    const { app } = await publishChatApp(chatGraph({ mode: "turns", turns: 1 }), { access: "link" });
    const caller = await resolveChatCaller(app.slug, { user: null, visitorId: randomUUID() });
    stack.openai.script({ text: "Hi Ada." }, { text: "You like tea." }, { text: "Green tea, then." });

    const first = await turn(caller, "I am Ada.");
    expect(first.run.status, JSON.stringify(first.run.error)).toBe("succeeded");
    expect(first.run.trigger).toBe("chat");
    expect(first.run.visitorId).toBe("visitorId" in caller.owner ? caller.owner.visitorId : null);
    expect(first.message).toMatchObject({ status: "done", content: "Hi Ada. (turn 1)" });
    const second = await turn(caller, "I like tea.", first.conversationId);
    expect(second.message.content).toBe("You like tea. (turn 2)");
    const third = await turn(caller, "Which tea?", first.conversationId);
    expect(third.message.content).toBe("Green tea, then. (turn 3)");

    const sent = stack.openai.chatRequests().map((r) => r.messages!.map((m) => ({ role: m.role, content: m.content })));
    expect(sent[0]).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "I am Ada." },
    ]);
    expect(sent[1]).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "I am Ada." },
      { role: "assistant", content: "Hi Ada. (turn 1)" },
      { role: "user", content: "I like tea." },
    ]);
    // Memory keeps one turn: the first exchange is dropped from the third call.
    expect(sent[2]).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "I like tea." },
      { role: "assistant", content: "You like tea. (turn 2)" },
      { role: "user", content: "Which tea?" },
    ]);
    const conversation = await db().conversation.findUniqueOrThrow({ where: { id: first.conversationId } });
    expect(conversation.variables).toEqual({ turns: 3 });
    const messages = await listMessages(caller, first.conversationId);
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "I am Ada."],
      ["assistant", "Hi Ada. (turn 1)"],
      ["user", "I like tea."],
      ["assistant", "You like tea. (turn 2)"],
      ["user", "Which tea?"],
      ["assistant", "Green tea, then. (turn 3)"],
    ]);
  });

  it("regenerates the last answer from the conversation variables as they were before it: the counter equals the user messages", async () => {
    const { app } = await publishChatApp(chatGraph({ mode: "off" }), { access: "link" });
    const caller = await resolveChatCaller(app.slug, { user: null, visitorId: randomUUID() });
    stack.openai.script({ text: "One." }, { text: "Two." }, { text: "Three." }, { text: "Three again." }, { text: "Three once more." });
    const first = await turn(caller, "first");
    await turn(caller, "second", first.conversationId);
    const third = await turn(caller, "third", first.conversationId);
    expect(third.message.content).toBe("Three. (turn 3)");
    const variables = async () => (await db().conversation.findUniqueOrThrow({ where: { id: first.conversationId } })).variables;
    expect(await variables()).toEqual({ turns: 3 });

    for (const text of ["Three again. (turn 3)", "Three once more. (turn 3)"]) {
      const again = await startTurn(caller, { regenerate: true, conversationId: first.conversationId });
      const { run, message } = await finishedTurn(again.runId, again.messageId);
      expect(run.inputs).toMatchObject({ conversation: { turns: 2 } });
      expect(message.content).toBe(text);
      expect(await variables()).toEqual({ turns: 3 });
    }
    const messages = await listMessages(caller, first.conversationId);
    expect(messages.filter((m) => m.role === "user")).toHaveLength(3);
    expect(messages.map((m) => m.content).at(-1)).toBe("Three once more. (turn 3)");
  });

  it("a turn refused before its run starts leaves no message; the next turn runs the version published meanwhile", async () => {
    const { workflow, app } = await publishChatApp(chatGraph({ mode: "turns", turns: 5 }), { access: "link" });
    const visitorId = randomUUID();
    const caller = await resolveChatCaller(app.slug, { user: null, visitorId });
    stack.openai.script({ text: "Hello." }, { text: "Again." });
    const first = await turn(caller, "hi");

    await setWorkflowLimits(stack.owner, workflow.id, { budget: { monthlyLimit: 0, warnPercent: 80 } });
    await expect(startTurn(caller, { message: "refused", conversationId: first.conversationId })).rejects.toMatchObject({ code: "budget_exhausted" });
    const kept = await db().message.findMany({ where: { conversationId: first.conversationId }, orderBy: [{ createdAt: "asc" }, { role: "desc" }] });
    expect(kept.map((m) => [m.role, m.content, m.status])).toEqual([
      ["user", "hi", "done"],
      ["assistant", "Hello. (turn 1)", "done"],
    ]);
    expect(await db().run.count({ where: { workflowId: workflow.id } })).toBe(1);

    await setWorkflowLimits(stack.owner, workflow.id, { budget: null });
    const graph = chatGraph({ mode: "turns", turns: 5 });
    graph.nodes = graph.nodes.map((n) => (n.id === "reply" ? { ...n, data: { text: "v2: {{ llm.text }}" } } : n));
    await db().workflow.update({ where: { id: workflow.id }, data: { graph: graph as object } });
    const v2 = await publishWorkflow(stack.owner, workflow.id);
    const second = await turn(await resolveChatCaller(app.slug, { user: null, visitorId }), "again", first.conversationId);
    expect(second.run.workflowVersionId).toBe(v2.id);
    expect(second.message.content).toBe("v2: Again.");
    // The refused message is not in the history the model received.
    expect(stack.openai.chatRequests().at(-1)!.messages!.map((m) => m.content)).toEqual(["Be brief.", "hi", "Hello. (turn 1)", "again"]);
  });

  it("the turn's end event carries its answer as stored (the chat's stream reads nothing at the end); the run's public stream leaves it out", async () => {
    const { app } = await publishChatApp(chatGraph({ mode: "off" }), { access: "link" });
    const caller = await resolveChatCaller(app.slug, { user: null, visitorId: randomUUID() });
    stack.openai.script({ text: "Stored and told.", delayMs: 300 });
    const runId = randomUUID();
    const ends: RunEvent[] = [];
    const early = await subscribeBeforeCreate(runId);
    early.attach({ onEvent: (event) => event.type === "run" && event.status === "succeeded" && ends.push(event) });
    const started = await startTurn(caller, { message: "hi" }, runId);
    // The run's public event stream (editor, API) follows the same run live.
    const publicStream = runEventStream({ workspaceId: caller.app.workspaceId, runId });
    const { message } = await finishedTurn(runId, started.messageId);
    for (let i = 0; i < 100 && ends.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    early.leave();
    expect(ends).toHaveLength(1);
    expect((ends[0] as { message?: unknown }).message).toEqual({ id: message.id, content: "Stored and told. (turn 1)", status: "done", citations: message.citations });
    const shown = await readEvents(publicStream, (e) => e.event === "run" && (e.data as { status: string }).status === "succeeded");
    expect(shown.at(-1)!.data).toMatchObject({ status: "succeeded" });
    expect(shown.at(-1)!.data).not.toHaveProperty("message");
  });

  it("follows an answer still being written after a reload (GET …/messages/<id>/stream), only for its owner, and stop ends it", async () => {
    const { app } = await publishChatApp(chatGraph({ mode: "off" }), { access: "link" });
    const visitorId = randomUUID();
    const caller = await resolveChatCaller(app.slug, { user: null, visitorId });
    const follow = (messageId: string, cookie: string) =>
      followAnswer(new Request(`http://localhost/api/chat/${app.slug}/messages/${messageId}/stream`, { headers: { cookie } }), { params: Promise.resolve({ slug: app.slug, messageId }) });
    const read = async (response: Response) => {
      const events: ChatStreamEvent[] = [];
      await readChatEvents(response.body!, (event) => events.push(event));
      return events;
    };

    // The page reloaded while the model writes: the pending answer is listed, then followed to its end.
    stack.openai.script({ text: "Streamed words arrive in pieces.", delayMs: 300, chunkDelayMs: 60 });
    const started = await startTurn(caller, { message: "Hello" });
    const listed = await listMessages(caller, started.conversationId);
    expect(listed.at(-1)).toMatchObject({ id: started.messageId, role: "assistant", status: "pending" });
    const stranger = await follow(started.messageId, `weft_chat_visitor=${randomUUID()}`);
    expect(stranger.status).toBe(404);
    const response = await follow(started.messageId, `weft_chat_visitor=${visitorId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = await read(response);
    const tokens = events.filter((e) => e.type === "token").map((e) => (e as { text: string }).text);
    expect(tokens.join(""), JSON.stringify(events)).toBe("Streamed words arrive in pieces.");
    expect(events.filter((e) => e.type === "answer")).toEqual([{ type: "answer", nodeId: "reply", text: "Streamed words arrive in pieces. (turn 1)" }]);
    expect(events.at(-1)).toMatchObject({ type: "done", status: "succeeded", message: { id: started.messageId, status: "done", content: "Streamed words arrive in pieces. (turn 1)" } });

    // Stop generating ends a followed answer: the stream closes with the cancelled message.
    stack.openai.script({ text: "slow", delayMs: 5_000 });
    const slow = await startTurn(caller, { message: "Take your time", conversationId: started.conversationId });
    const following = read(await follow(slow.messageId, `weft_chat_visitor=${visitorId}`));
    await stopTurn(caller, slow.messageId);
    expect((await following).at(-1)).toMatchObject({ type: "done", status: "cancelled", message: { id: slow.messageId, status: "cancelled" } });
  });

  it("keeps history within a token budget, oldest turns dropped", async () => {
    const { app } = await publishChatApp(chatGraph({ mode: "tokens", tokens: 50 }), { access: "link" });
    const caller = await resolveChatCaller(app.slug, { user: null, visitorId: randomUUID() });
    stack.openai.script({ text: "one" }, { text: "two" }, { text: "three" });
    const first = await turn(caller, "a".repeat(400));
    await turn(caller, "short", first.conversationId);
    await turn(caller, "last", first.conversationId);
    const third = stack.openai.chatRequests()[2]!.messages!.map((m) => m.content);
    // 50 estimated tokens hold the second exchange and the first answer, not the 400-character first
    // message (100); the first answer, left without its question, is dropped too.
    expect(third).toEqual(["Be brief.", "short", "two (turn 2)", "last"]);
  });

  it("summarises the turns that fall out of memory with the node's model, once, and reuses the summary", async () => {
    const { app } = await publishChatApp(chatGraph({ mode: "turns", turns: 1, overflow: "summarise" }), { access: "link" });
    const caller = await resolveChatCaller(app.slug, { user: null, visitorId: randomUUID() });
    stack.openai.script({ text: "Hi Ada." }, { text: "You like tea." }, { text: "The user is Ada." }, { text: "Green tea, then." }, { text: "Ada likes tea." }, { text: "Enjoy." }, { text: "Enjoy it." });
    const first = await turn(caller, "I am Ada.");
    const second = await turn(caller, "I like tea.", first.conversationId);
    // Turn 3: the first exchange falls out and is summarised (one extra call) before the answer.
    const third = await turn(caller, "Which tea?", first.conversationId);
    expect(third.message.content).toBe("Green tea, then. (turn 3)");
    // Turn 4: the stored summary is extended with the second exchange only.
    const fourth = await turn(caller, "Thanks!", first.conversationId);
    expect(fourth.message.content).toBe("Enjoy. (turn 4)");
    // Regenerating turn 4: nothing new fell out, the stored summary is used as it is (no call).
    const again = await startTurn(caller, { regenerate: true, conversationId: first.conversationId });
    // (The turn counter is a conversation variable: a regenerated turn starts from its value before the answer it replaces.)
    expect((await finishedTurn(again.runId, again.messageId)).message.content).toBe("Enjoy it. (turn 4)");

    const sent = stack.openai.chatRequests().map((r) => r.messages!.map((m) => ({ role: m.role, content: m.content })));
    expect(sent).toHaveLength(7);
    expect(sent[2]).toEqual([
      { role: "system", content: SUMMARY_SYSTEM_PROMPT },
      { role: "user", content: "Messages:\nUser: I am Ada.\n\nAssistant: Hi Ada. (turn 1)" },
    ]);
    expect(sent[3]).toEqual([
      { role: "system", content: `Be brief.\n\n${SUMMARY_HEADING}\nThe user is Ada.` },
      { role: "user", content: "I like tea." },
      { role: "assistant", content: "You like tea. (turn 2)" },
      { role: "user", content: "Which tea?" },
    ]);
    expect(sent[4]).toEqual([
      { role: "system", content: SUMMARY_SYSTEM_PROMPT },
      { role: "user", content: "Summary so far:\nThe user is Ada.\n\nMessages since:\nUser: I like tea.\n\nAssistant: You like tea. (turn 2)" },
    ]);
    const fourthAnswerCall = [
      { role: "system", content: `Be brief.\n\n${SUMMARY_HEADING}\nAda likes tea.` },
      { role: "user", content: "Which tea?" },
      { role: "assistant", content: "Green tea, then. (turn 3)" },
      { role: "user", content: "Thanks!" },
    ];
    expect(sent[5]).toEqual(fourthAnswerCall);
    expect(sent[6]).toEqual(fourthAnswerCall);

    // Cached with the conversation, keyed by the last summarised message (the second answer).
    const conversation = await db().conversation.findUniqueOrThrow({ where: { id: first.conversationId } });
    expect(conversation.memorySummaries).toEqual({ llm: { through: second.messageId, summary: "Ada likes tea." } });
    const steps = await db().runStep.findMany({ where: { runId: { in: [third.runId, again.runId] }, nodeId: "llm" }, select: { runId: true, detail: true } });
    const memoryOf = (runId: string) => (steps.find((s) => s.runId === runId)!.detail as { memory?: unknown }).memory;
    expect(memoryOf(third.runId)).toMatchObject({ summary: "The user is Ada.", through: first.messageId, cached: false, summarisedMessages: 2 });
    expect(memoryOf(again.runId)).toMatchObject({ summary: "Ada likes tea.", cached: true, summarisedMessages: 0 });

    // The cache is read only for a chat turn's own run, in its workspace, with messages of one conversation.
    const key = { nodeId: "llm", messageIds: [first.messageId, second.messageId] };
    expect(await createMemoryPort(db(), stack.owner.workspaceId, again.runId).load(key)).toEqual({ through: second.messageId, summary: "Ada likes tea." });
    expect(await createMemoryPort(db(), stack.owner.workspaceId, randomUUID()).load(key)).toBeNull();
    const stranger = await createTestMember("owner");
    expect(await createMemoryPort(db(), stranger.workspaceId, again.runId).load(key)).toBeNull();
  });

  it("stores feedback on the answer and shows it with the run; stop cancels the run and keeps the turn", async () => {
    const { app } = await publishChatApp(chatGraph({ mode: "off" }), { access: "members" });
    const caller = await resolveChatCaller(app.slug, { user: { id: stack.owner.userId, email: stack.owner.email, name: stack.owner.name }, visitorId: null });
    stack.openai.script({ text: "Answer." });
    const done = await turn(caller, "Question?");
    await giveFeedback(caller, done.messageId, { rating: -1, comment: "Too short" });
    const seen = await chatTurnOfRun(stack.owner, done.runId);
    expect(seen).toMatchObject({ question: "Question?", answer: "Answer. (turn 1)", rating: -1, feedbackComment: "Too short", chatAppSlug: app.slug });

    stack.openai.script({ text: "slow", delayMs: 5_000 });
    const slow = await startTurn(caller, { message: "Take your time", conversationId: done.conversationId });
    await stopTurn(caller, slow.messageId);
    const { run, message } = await finishedTurn(slow.runId, slow.messageId);
    expect(run.status).toBe("cancelled");
    expect(message.status).toBe("cancelled");
  });

  it("answers 404 to whoever the access mode leaves out, whatever the slug", async () => {
    const members = await publishChatApp(chatGraph({ mode: "off" }), { access: "members" });
    const outsider = await createTestMember("owner");
    const outsiderUser = { id: outsider.userId, email: outsider.email, name: outsider.name };
    const refused = (promise: Promise<unknown>) => expect(promise).rejects.toMatchObject({ code: "not_found" });

    await refused(resolveChatCaller("no-such-app", { user: null, visitorId: randomUUID() }));
    await refused(resolveChatCaller(members.app.slug, { user: null, visitorId: randomUUID() }));
    await refused(resolveChatCaller(members.app.slug, { user: outsiderUser, visitorId: null }));
    const member = await resolveChatCaller(members.app.slug, { user: { id: stack.owner.userId, email: stack.owner.email, name: stack.owner.name }, visitorId: null });
    expect(member.member.role).toBe("owner");

    const domain = await publishChatApp(chatGraph({ mode: "off" }), { access: "domain", allowedDomains: ["example.test"] });
    await refused(resolveChatCaller(domain.app.slug, { user: null, visitorId: randomUUID() }));
    const allowed = await resolveChatCaller(domain.app.slug, { user: outsiderUser, visitorId: null });
    expect(allowed.owner).toEqual({ userId: outsider.userId });
    const other = await publishChatApp(chatGraph({ mode: "off" }), { access: "domain", allowedDomains: ["elsewhere.org"] });
    await refused(resolveChatCaller(other.app.slug, { user: outsiderUser, visitorId: null }));

    // A visitor sees only their own conversations.
    const link = await publishChatApp(chatGraph({ mode: "off" }), { access: "link" });
    const ada = await resolveChatCaller(link.app.slug, { user: null, visitorId: randomUUID() });
    const bob = await resolveChatCaller(link.app.slug, { user: null, visitorId: randomUUID() });
    stack.openai.script({ text: "Private." });
    const mine = await turn(ada, "Secret");
    await expect(listMessages(bob, mine.conversationId)).rejects.toMatchObject({ code: "not_found" });
    await expect(giveFeedback(bob, mine.messageId, { rating: 1 })).rejects.toMatchObject({ code: "not_found" });
  });

  it("streams a turn over HTTP through the run follower and sets a visitor cookie; refuses oversize bodies", async () => {
    const { app } = await publishChatApp(chatGraph({ mode: "off" }), { access: "link" });
    const context = { params: Promise.resolve({ slug: app.slug }) };
    const request = (body: string, cookie?: string) =>
      new Request(`http://localhost/api/chat/${app.slug}/turns`, { method: "POST", headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) }, body });
    // Slow enough that the stream is open before the model writes: tokens arrive one by one.
    stack.openai.script({ text: "Streamed words arrive in pieces.", delayMs: 300, chunkDelayMs: 40 });
    const response = await postTurn(request(JSON.stringify({ message: "Hello" })), context);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
    expect(cookie).toMatch(/^weft_chat_visitor=[0-9a-f-]{36}$/);
    const events: ChatStreamEvent[] = [];
    await readChatEvents(response.body!, (event) => events.push(event));
    expect(events[0]!.type, JSON.stringify(events)).toBe("turn");
    const tokens = events.filter((e) => e.type === "token").map((e) => (e as { text: string }).text);
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join("")).toBe("Streamed words arrive in pieces.");
    expect(events.filter((e) => e.type === "answer")).toEqual([{ type: "answer", nodeId: "reply", text: "Streamed words arrive in pieces. (turn 1)" }]);
    expect(events.at(-1)).toMatchObject({ type: "done", status: "succeeded", message: { content: "Streamed words arrive in pieces. (turn 1)", status: "done" } });

    // The cookie brings the visitor back to their conversation; without it a stranger sees none.
    const mine = await getApp(new Request(`http://localhost/api/chat/${app.slug}`, { headers: { cookie } }), context);
    expect(((await mine.json()) as { conversations: unknown[] }).conversations).toHaveLength(1);
    const stranger = await getApp(new Request(`http://localhost/api/chat/${app.slug}`), context);
    expect(((await stranger.json()) as { conversations: unknown[] }).conversations).toHaveLength(0);

    const oversize = await postTurn(request(JSON.stringify({ message: "x".repeat(70_000) }), cookie), context);
    expect(oversize.status).toBe(413);
    const unknown = await postTurn(request(JSON.stringify({ message: "hi" })), { params: Promise.resolve({ slug: "no-such-chat" }) });
    expect(unknown.status).toBe(404);
  });

  it("previews a fed Answer as it will read: its leading text comes with the model's first token", async () => {
    const graph = chatGraph({ mode: "off" });
    graph.nodes.find((n) => n.id === "reply")!.data.text = "Sure: {{ llm.text }}";
    const { app } = await publishChatApp(graph, { access: "link" });
    stack.openai.script({ text: "Streamed words arrive in pieces.", delayMs: 300, chunkDelayMs: 40 });
    const response = await postTurn(
      new Request(`http://localhost/api/chat/${app.slug}/turns`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "Hello" }) }),
      { params: Promise.resolve({ slug: app.slug }) },
    );
    const events: ChatStreamEvent[] = [];
    await readChatEvents(response.body!, (event) => events.push(event));
    const tokens = events.filter((e) => e.type === "token").map((e) => (e as { text: string }).text);
    expect(tokens[0], JSON.stringify(events)).toMatch(/^Sure: Streamed/);
    expect(tokens.join("")).toBe("Sure: Streamed words arrive in pieces.");
    expect(events.filter((e) => e.type === "answer")).toEqual([{ type: "answer", nodeId: "reply", text: "Sure: Streamed words arrive in pieces." }]);
  });

  it("streams only the text the answer shows: a model that classifies for a Condition sends no tokens to the chat", async () => {
    // Start → classify (LLM) → Condition on its text → writer (LLM) → Answer "{{ writer.text }}" → End.
    const graph: Graph = {
      version: 1,
      nodes: [
        { id: "start", type: "start", position: at(0), data: { inputs: [], conversation: { enabled: true, variables: [] } } },
        { id: "classify", type: "llm", position: at(200), data: { providerId: stack.providerId, model: "test-model", systemPrompt: "One word.", userPrompt: "{{ start.message }}" } },
        { id: "route", type: "condition", position: at(400), data: { cases: [{ id: "case_billing", logic: "and", rules: [{ left: "classify.text", operator: "contains", right: "billing" }] }] } },
        { id: "writer", type: "llm", position: at(600), data: { providerId: stack.providerId, model: "test-model", systemPrompt: "Help.", userPrompt: "{{ start.message }}" } },
        { id: "reply", type: "answer", position: at(800), data: { text: "{{ writer.text }}" } },
        { id: "end", type: "end", position: at(1000), data: { outputs: [{ name: "answer", value: "{{ writer.text }}" }] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "classify" },
        { id: "e2", source: "classify", target: "route" },
        { id: "e3", source: "route", target: "writer", sourceHandle: "case_billing" },
        { id: "e4", source: "writer", target: "reply" },
        { id: "e5", source: "reply", target: "end" },
      ],
    } as Graph;
    const { app } = await publishChatApp(graph, { access: "link" });
    stack.openai.script({ text: "billing question", chunkDelayMs: 40 }, { text: "Your invoice is attached.", delayMs: 100, chunkDelayMs: 40 });
    const response = await postTurn(
      new Request(`http://localhost/api/chat/${app.slug}/turns`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "Where is my invoice?" }) }),
      { params: Promise.resolve({ slug: app.slug }) },
    );
    const events: ChatStreamEvent[] = [];
    await readChatEvents(response.body!, (event) => events.push(event));
    expect(events.at(-1), JSON.stringify(events)).toMatchObject({ type: "done", status: "succeeded", message: { content: "Your invoice is attached." } });
    const tokens = events.filter((e) => e.type === "token") as Extract<ChatStreamEvent, { type: "token" }>[];
    expect(tokens.length).toBeGreaterThan(1);
    expect(new Set(tokens.map((t) => t.nodeId))).toEqual(new Set(["writer"]));
    expect(tokens.map((t) => t.text).join("")).toBe("Your invoice is attached.");
  });
});
