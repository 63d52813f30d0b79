import { expect, request as playwrightRequest, test } from "@playwright/test";
import { benchWorkflows } from "../../bench/lib/workflows";
import { linkChatApp, publishGraph, signUp } from "./helpers";

/**
 * A developer's journey with the public API, against the web process as deployed (`npm start`:
 * server/web.ts answers /api/v1 and /api/hooks without Next's request pipeline): a key made in
 * Settings → API keys, a published workflow run synchronously and as a stream by a client
 * outside the browser, a webhook called by another system, and what such clients must always
 * get: the security headers, 401/404/405 answers, and the caller's address as the run's audit
 * and rate limits see it.
 */

const at = (x: number) => ({ x, y: 0 });
// Start (n) → Template "item {{ start.n }}" → End { label }: the webhook benchmark's workflow.
const LABEL_GRAPH = benchWorkflows.echo.graph;

test("a developer runs a published workflow through the API and a webhook from outside the browser", async ({ page, baseURL }) => {
  await signUp(page, "API Developer", `e2e-api-${Date.now()}@example.test`);
  const workflowId = await publishGraph(page, "E2E labeller", LABEL_GRAPH);

  // Settings → API keys: the secret is shown once.
  await page.goto("/settings/api-keys");
  await page.getByTestId("create-api-key").click();
  await page.getByLabel("Name").fill("CI pipeline");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = await page.getByTestId("api-key-secret").inputValue();
  expect(secret).toMatch(/^weft_/);

  // A webhook (sync: the caller waits for the End output), made by the developer in the studio.
  const hook = await page.request.post(`/api/workflows/${workflowId}/webhooks`, { data: { name: "CRM", authMode: "none", mode: "sync" } });
  expect(hook.status()).toBe(201);
  const hookPath = ((await hook.json()) as { webhook: { path: string } }).webhook.path;

  // Everything below is another program: no cookies, only the key.
  const outside = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${secret}` } });
  try {
    const sync = await outside.post(`/api/v1/workflows/${workflowId}/runs`, { data: { inputs: { n: 7 }, mode: "sync" } });
    expect(sync.status()).toBe(200);
    const run = (await sync.json()) as { id: string; status: string; output: unknown; trigger: string };
    expect(run).toMatchObject({ status: "succeeded", output: { label: "item 7" } });
    const headers = sync.headers();
    expect(headers["content-type"]).toContain("application/json");
    expect(headers["location"]).toBe(`/api/v1/runs/${run.id}`);
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-powered-by"]).toBeUndefined();

    // The run as the API shows it later: started through the API, by this key.
    const read = await outside.get(`/api/v1/runs/${run.id}`);
    expect(read.status()).toBe(200);
    expect(await read.json()).toMatchObject({ id: run.id, status: "succeeded", output: { label: "item 7" } });

    // Stream mode: Server-Sent Events from the snapshot to the run's end.
    const stream = await outside.post(`/api/v1/workflows/${workflowId}/runs`, { data: { inputs: { n: 8 }, mode: "stream" } });
    expect(stream.status()).toBe(200);
    expect(stream.headers()["content-type"]).toContain("text/event-stream");
    const events = await stream.text();
    expect(events).toContain("event: snapshot");
    expect(events).toMatch(/event: run\ndata: .*"status":"succeeded"/);
    expect(events).toContain("item 8");

    // The webhook: the JSON body becomes the Start inputs, the End output comes back.
    const called = await outside.post(hookPath, { data: { n: 9 }, headers: { authorization: "" } });
    expect(called.status()).toBe(200);
    expect(JSON.stringify(await called.json())).toContain("item 9");

    // What a client gets wrong is answered clearly, as before.
    const wrongKey = await outside.post(`/api/v1/workflows/${workflowId}/runs`, { data: { inputs: { n: 1 } }, headers: { authorization: "Bearer weft_not-a-key" } });
    expect(wrongKey.status()).toBe(401);
    expect(wrongKey.headers()["www-authenticate"]).toContain("Bearer");
    const unknownPath = await outside.get("/api/v1/no-such-thing");
    expect(unknownPath.status()).toBe(404);
    expect(await unknownPath.json()).toMatchObject({ error: { code: "not_found" } });
    const wrongMethod = await outside.delete(`/api/v1/workflows/${workflowId}/runs`);
    expect(wrongMethod.status()).toBe(405);
    const badBody = await outside.post(`/api/v1/workflows/${workflowId}/runs`, { data: "{not json", headers: { "content-type": "application/json" } });
    expect(badBody.status()).toBe(400);
  } finally {
    await outside.dispose();
  }
});

test("the chat apps' API, served on the same direct path, still refuses a cross-origin post and answers a visitor", async ({ page, baseURL }) => {
  await signUp(page, "Chat Owner", `e2e-chat-origin-${Date.now()}@example.test`);
  const workflowId = await publishGraph(page, "E2E greeter", {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: at(0), data: { inputs: [], conversation: { enabled: true, variables: [] } } },
      { id: "hello", type: "answer", position: at(220), data: { text: "Hello, {{ start.message }}!" } },
      { id: "end", type: "end", position: at(440), data: { outputs: [] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "hello" },
      { id: "e2", source: "hello", target: "end" },
    ],
  });
  const slug = await linkChatApp(page, workflowId, "E2E greeter");

  const visitor = await playwrightRequest.newContext({ baseURL });
  try {
    // A page on another origin posting with the visitor's cookies: refused before the route runs, as proxy.ts does under Next.
    const forged = await visitor.post(`/api/chat/${slug}/turns`, { data: { message: "hi" }, headers: { origin: "https://evil.example" } });
    expect(forged.status()).toBe(403);
    expect(await forged.json()).toMatchObject({ error: { code: "cross_origin" } });
    expect(forged.headers()["x-content-type-options"]).toBe("nosniff");

    // The visitor's own turn streams the answer and gets a visitor cookie.
    const turn = await visitor.post(`/api/chat/${slug}/turns`, { data: { message: "Ada" }, headers: { origin: baseURL! } });
    expect(turn.status()).toBe(200);
    expect(turn.headers()["content-type"]).toContain("text/event-stream");
    expect(turn.headers()["set-cookie"]).toContain("weft_chat_visitor=");
    const events = await turn.text();
    expect(events).toContain("Hello, Ada!");
    expect(events).toContain("event: done");
  } finally {
    await visitor.dispose();
  }
});
