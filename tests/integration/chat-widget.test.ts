import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { saveChatApp, type ChatAppInput } from "@/lib/chat/apps";
import { resolveEmbedCaller } from "@/lib/chat/embed";
import { callerKey } from "@/lib/chat/http";
import { CHAT_LIMITS, admitTurn } from "@/lib/chat/limits";
import { readChatEvents } from "@/lib/chat/read-sse";
import type { ChatStreamEvent } from "@/lib/chat/stream";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { createWorkflow } from "@/lib/workflows/service";
import { publishWorkflow } from "@/lib/workflows/versions";
import { GET as getApp } from "@/app/api/chat/[slug]/route";
import { GET as getMountCheck } from "@/app/api/chat/[slug]/embed/route";
import { POST as postTurn } from "@/app/api/chat/[slug]/turns/route";
import { DELETE as deleteConversation, GET as getConversation, PATCH as renameConversation } from "@/app/api/chat/[slug]/conversations/[conversationId]/route";
import { POST as postFeedback } from "@/app/api/chat/[slug]/messages/[messageId]/feedback/route";
import { proxy } from "@/proxy";
import { chatStack } from "./helpers/chat-stack";

/**
 * The embeddable chat widget: allowed origins (the mount check widget.js makes, the embedded chat's
 * API calls, the embed page's frame-ancestors), conversations scoped to the widget's visitor id,
 * and the per-visitor and per-app turn limits. Turns run on a real worker against the
 * OpenAI-wire test server.
 */

const SHOP = "https://shop.example.test";
const DEV = "http://localhost:8080";
const EVIL = "https://evil.example.test";

const stack = chatStack();

const at = (x: number) => ({ x, y: 0 });
const graph = (): Graph =>
  ({
    version: 1,
    nodes: [
      { id: "start", type: "start", position: at(0), data: { inputs: [], conversation: { enabled: true, variables: [] } } },
      { id: "llm", type: "llm", position: at(200), data: { providerId: stack.providerId, model: "test-model", systemPrompt: "", userPrompt: "{{ start.message }}", memory: { mode: "off" } } },
      { id: "reply", type: "answer", position: at(400), data: { text: "{{ llm.text }}" } },
      { id: "end", type: "end", position: at(600), data: { outputs: [{ name: "answer", value: "{{ llm.text }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "llm" },
      { id: "e2", source: "llm", target: "reply" },
      { id: "e3", source: "reply", target: "end" },
    ],
  }) as Graph;

async function publishApp(input: Partial<ChatAppInput> = {}) {
  const workflow = await createWorkflow(stack.owner, { name: `widget ${randomUUID().slice(0, 6)}`, graph: graph() });
  await publishWorkflow(stack.owner, workflow.id);
  return saveChatApp(stack.owner, workflow.id, { title: "Shop help", access: "link", allowedOrigins: [SHOP, DEV], ...input });
}

const embed = (origin: string, visitorId: string) => ({ "x-weft-embed-origin": origin, "x-weft-visitor": visitorId });
const url = (path: string) => `http://localhost/api/chat/${path}`;
const slugContext = (slug: string) => ({ params: Promise.resolve({ slug }) });

function turnRequest(slug: string, headers: Record<string, string>, body: Record<string, unknown>) {
  return postTurn(new Request(url(`${slug}/turns`), { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) }), slugContext(slug));
}

async function conversationsOf(slug: string, headers: Record<string, string>): Promise<{ id: string }[]> {
  const response = await getApp(new Request(url(slug), { headers }), slugContext(slug));
  expect(response.status).toBe(200);
  return ((await response.json()) as { conversations: { id: string }[] }).conversations;
}

const mountCheck = (slug: string, origin?: string) => getMountCheck(new Request(url(`${slug}/embed`), { headers: origin ? { origin } : {} }), slugContext(slug));
const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; reason?: string; message: string } }).error;

async function frameAncestors(slug: string): Promise<string | undefined> {
  const response = await proxy(new NextRequest(`http://localhost/chat/${slug}/embed`));
  return response.headers.get("content-security-policy")?.match(/frame-ancestors ([^;]*)/)?.[1];
}

describe("allowed origins", () => {
  it("are saved as exact origins; paths, wildcards and other schemes are refused", async () => {
    const app = await publishApp({ allowedOrigins: ["https://Shop.Example.test/", DEV, "https://shop.example.test"] });
    expect(app.allowedOrigins).toEqual([SHOP, DEV]);
    const workflow = await createWorkflow(stack.owner, { name: "bad origins", graph: graph() });
    await publishWorkflow(stack.owner, workflow.id);
    for (const bad of ["https://shop.example.test/help", "*.example.test", "https://*.example.test", "ftp://files.example.test", "shop.example.test", "https://shop.example.test?x=1", "null"]) {
      await expect(saveChatApp(stack.owner, workflow.id, { title: "x", access: "link", allowedOrigins: [bad] }), bad).rejects.toThrow(/not a website origin/);
    }
  });

  it("widget.js's mount check answers the allowed origin, refuses others with 403, and hides non-link apps behind 404", async () => {
    const app = await publishApp();
    const allowed = await mountCheck(app.slug, SHOP);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("*");
    expect(await allowed.json()).toEqual({ app: { title: "Shop help" } });

    const other = await mountCheck(app.slug, EVIL);
    expect(other.status).toBe(403);
    expect(other.headers.get("access-control-allow-origin")).toBe("*");
    expect(await errorOf(other)).toMatchObject({ code: "forbidden", reason: "origin_not_allowed", message: `${EVIL} is not allowed to embed this chat app.` });
    expect((await mountCheck(app.slug)).status).toBe(403);

    const none = await publishApp({ allowedOrigins: [] });
    const disabled = await mountCheck(none.slug, SHOP);
    expect(disabled.status).toBe(403);
    expect(await errorOf(disabled)).toMatchObject({ reason: "embed_disabled", message: expect.stringContaining("has not listed any website") });

    const members = await publishApp({ access: "members" });
    expect((await mountCheck(members.slug, SHOP)).status).toBe(404);
    expect((await mountCheck("no-such-app", SHOP)).status).toBe(404);
  });

  it("the embedded chat's API calls are checked against the list: 403 for another origin, nothing written", async () => {
    const app = await publishApp();
    const visitor = randomUUID();
    const ok = await getApp(new Request(url(app.slug), { headers: embed(SHOP, visitor) }), slugContext(app.slug));
    expect(ok.status).toBe(200);
    // The embedded chat never gets the hosted page's visitor cookie.
    expect(ok.headers.get("set-cookie")).toBeNull();

    const refused = await getApp(new Request(url(app.slug), { headers: embed(EVIL, visitor) }), slugContext(app.slug));
    expect(refused.status).toBe(403);
    expect(await errorOf(refused)).toMatchObject({ reason: "origin_not_allowed" });
    const turn = await turnRequest(app.slug, embed(EVIL, visitor), { message: "Hello" });
    expect(turn.status).toBe(403);
    expect(await db().conversation.count({ where: { chatAppId: app.id } })).toBe(0);

    const malformed = await getApp(new Request(url(app.slug), { headers: embed(SHOP, "not-a-uuid") }), slugContext(app.slug));
    expect(malformed.status).toBe(400);
    expect((await getApp(new Request(url(app.slug), { headers: embed("https://shop.example.test/path", visitor) }), slugContext(app.slug))).status).toBe(400);

    // A members-only app cannot be embedded: the same 404 as an unknown app, even from a listed origin.
    const members = await publishApp({ access: "members" });
    expect((await getApp(new Request(url(members.slug), { headers: embed(SHOP, visitor) }), slugContext(members.slug))).status).toBe(404);
  });

  it("the embed page may be framed only by the app's allowed origins (CSP frame-ancestors, set by proxy.ts)", async () => {
    const app = await publishApp();
    expect(await frameAncestors(app.slug)).toBe(`${SHOP} ${DEV}`);
    const page = await proxy(new NextRequest(`http://localhost/chat/${app.slug}/embed`));
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(page.headers.get("x-frame-options")).toBeNull();

    expect(await frameAncestors((await publishApp({ allowedOrigins: [] })).slug)).toBe("'none'");
    expect(await frameAncestors((await publishApp({ access: "members" })).slug)).toBe("'none'");
    expect(await frameAncestors((await publishApp({ enabled: false })).slug)).toBe("'none'");
    expect(await frameAncestors("no-such-app")).toBe("'none'");
    // Other pages are left to next.config.ts (frame-ancestors 'none' and X-Frame-Options: DENY).
    expect((await proxy(new NextRequest(`http://localhost/chat/${app.slug}`))).headers.get("content-security-policy")).toBeNull();
  });
});

describe("visitors", () => {
  it("streams an embedded turn; the conversation belongs to the widget's visitor id and no other", async () => {
    const app = await publishApp();
    const ada = randomUUID();
    const bob = randomUUID();
    stack.openai.script({ text: "Your order ships tomorrow.", delayMs: 200, chunkDelayMs: 20 });
    const response = await turnRequest(app.slug, embed(SHOP, ada), { message: "Where is my order?" });
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toBeNull();
    const events: ChatStreamEvent[] = [];
    await readChatEvents(response.body!, (event) => events.push(event));
    const turn = events[0] as Extract<ChatStreamEvent, { type: "turn" }>;
    expect(turn.type, JSON.stringify(events)).toBe("turn");
    expect(events.filter((e) => e.type === "token").length).toBeGreaterThan(1);
    expect(events.at(-1)).toMatchObject({ type: "done", status: "succeeded", message: { content: "Your order ships tomorrow.", status: "done" } });
    const run = await db().run.findUniqueOrThrow({ where: { id: turn.runId } });
    expect(run).toMatchObject({ trigger: "chat", visitorId: ada });

    expect((await conversationsOf(app.slug, embed(SHOP, ada))).map((c) => c.id)).toEqual([turn.conversationId]);
    // The same visitor from another allowed website is the same visitor.
    expect(await conversationsOf(app.slug, embed(DEV, ada))).toHaveLength(1);
    expect(await conversationsOf(app.slug, embed(SHOP, bob))).toEqual([]);
    expect(await conversationsOf(app.slug, {})).toEqual([]);

    const params = <T extends Record<string, string>>(extra: T) => ({ params: Promise.resolve({ slug: app.slug, ...extra }) });
    const conversation = url(`${app.slug}/conversations/${turn.conversationId}`);
    const asBob = embed(SHOP, bob);
    expect((await getConversation(new Request(conversation, { headers: asBob }), params({ conversationId: turn.conversationId }))).status).toBe(404);
    const rename = new Request(conversation, { method: "PATCH", headers: { ...asBob, "content-type": "application/json" }, body: JSON.stringify({ title: "mine now" }) });
    expect((await renameConversation(rename, params({ conversationId: turn.conversationId }))).status).toBe(404);
    expect((await deleteConversation(new Request(conversation, { method: "DELETE", headers: asBob }), params({ conversationId: turn.conversationId }))).status).toBe(404);
    const feedback = new Request(url(`${app.slug}/messages/${turn.messageId}/feedback`), { method: "POST", headers: { ...asBob, "content-type": "application/json" }, body: JSON.stringify({ rating: -1 }) });
    expect((await postFeedback(feedback, params({ messageId: turn.messageId }))).status).toBe(404);

    const mine = await getConversation(new Request(conversation, { headers: embed(SHOP, ada) }), params({ conversationId: turn.conversationId }));
    expect(((await mine.json()) as { messages: { role: string; content: string }[] }).messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "Where is my order?"],
      ["assistant", "Your order ships tomorrow."],
    ]);
  });

  it("limits turns per visitor and per app (429 with Retry-After), without starting a run", async () => {
    const app = await publishApp();
    const ada = randomUUID();
    const key = callerKey(await resolveEmbedCaller(app.slug, { origin: SHOP, visitorId: ada }));
    for (let i = 0; i < CHAT_LIMITS.turnsPerCaller; i++) expect(await admitTurn(app.id, key)).toBeNull();
    const limited = await turnRequest(app.slug, embed(SHOP, ada), { message: "One more" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await errorOf(limited)).toMatchObject({ code: "rate_limited" });

    // Another visitor of the same app is not held back by Ada's limit.
    stack.openai.script({ text: "Hello Bob." });
    const bob = await turnRequest(app.slug, embed(SHOP, randomUUID()), { message: "Hi" });
    expect(bob.status).toBe(200);
    const events: ChatStreamEvent[] = [];
    await readChatEvents(bob.body!, (event) => events.push(event));
    expect(events.at(-1)).toMatchObject({ type: "done", status: "succeeded" });

    // The app's limit counts every visitor's turns together (Ada's and Bob's included): fill it with new visitors.
    let admitted = 0;
    while ((await admitTurn(app.id, `visitor:${randomUUID()}`)) === null) admitted++;
    expect(admitted).toBeLessThan(CHAT_LIMITS.turnsPerApp - CHAT_LIMITS.turnsPerCaller);
    const runsBefore = await db().run.count({ where: { workflowId: app.workflowId } });
    const full = await turnRequest(app.slug, embed(SHOP, randomUUID()), { message: "Anyone there?" });
    expect(full.status).toBe(429);
    expect(await db().run.count({ where: { workflowId: app.workflowId } })).toBe(runsBefore);
  });
});
