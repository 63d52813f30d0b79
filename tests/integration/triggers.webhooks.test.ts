import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { getRunView } from "@/lib/api/runs";
import { createWebhook, updateWebhook } from "@/lib/triggers/webhooks";
import { cancelRun } from "@/lib/runs/cancel";
import { createKey } from "./helpers/api-v1";
import { eventually } from "./helpers/chain";
import { createTestMember } from "./helpers/members";
import { waitForRun } from "./helpers/runs";
import { callHook, publishedWorkflow, signedInit } from "./helpers/triggers";
import { approvalGraph } from "./helpers/waits";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/** Webhooks end to end: the public route handler → the run service → the queue → a real worker process. */
let worker: WorkerProcess;
let member: Member;
let workflowId: string;
let signed: { path: string; secret: string; id: string };
let open: { path: string; id: string };

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({ method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers } });
const runsOfHook = (hookId: string) => db().run.findMany({ where: { triggerRefId: hookId }, select: { id: true, triggerKey: true } });

beforeAll(async () => {
  worker = await startWorkerProcess();
  member = await createTestMember("developer");
  workflowId = await publishedWorkflow(member);
  const hmac = await createWebhook(member, workflowId, { name: "signed hook", authMode: "hmac", toleranceSeconds: 60 });
  signed = { path: hmac.webhook.path, secret: hmac.secret!, id: hmac.webhook.id };
  const none = await createWebhook(member, workflowId, { name: "open hook", authMode: "none", mode: "sync", syncTimeoutMs: 20_000 });
  open = { path: none.webhook.path, id: none.webhook.id };
});

afterAll(async () => {
  await worker?.stop();
});

describe("creating webhooks", () => {
  it("gives an unguessable 256-bit URL id and a secret shown once; the secret is stored encrypted", async () => {
    expect(signed.path).toMatch(/^\/api\/hooks\/[A-Za-z0-9_-]{43}$/);
    expect(signed.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const row = await db().webhook.findUniqueOrThrow({ where: { id: signed.id } });
    expect(row.secretCipher).toMatch(/^v1:/);
    expect(row.secretCipher).not.toContain(signed.secret.slice(6));
  });

  it("refuses a webhook for a workflow that was never published (409)", async () => {
    const { createWorkflow } = await import("@/lib/workflows/service");
    const draft = await createWorkflow(member, { name: "Draft only" });
    await expect(createWebhook(member, draft.id, { name: "x" })).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("signature (hmac mode)", () => {
  it("a valid signature starts a run (202 with its id) that records the webhook as its trigger and initiator", async () => {
    const response = await callHook(signed.path, signedInit(signed.secret, { name: "Ada", n: 1 }));
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    expect(response.headers.get("x-weft-run-id")).toBe(runId);
    const run = await waitForRun(runId);
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ text: "hello Ada #1", n: 1 });
    const view = await getRunView(member.workspaceId, runId);
    expect(view).toMatchObject({ trigger: "webhook", initiator: { kind: "webhook", id: signed.id, name: "signed hook" } });
  });

  it("a wrong signature, a wrong secret, a missing signature and a stale or future timestamp are 401 and start nothing", async () => {
    const before = (await runsOfHook(signed.id)).length;
    const tampered = signedInit(signed.secret, { name: "Ada", n: 1 });
    const attempts: [string, RequestInit][] = [
      ["tampered body", { ...tampered, body: JSON.stringify({ name: "Eve", n: 1 }) }],
      ["wrong secret", signedInit("whsec_not-the-secret", { name: "Ada", n: 1 })],
      ["no signature", json({ name: "Ada", n: 1 }, { "x-weft-timestamp": String(Math.floor(Date.now() / 1000)) })],
      ["stale", signedInit(signed.secret, { name: "Ada", n: 1 }, { timestamp: Math.floor(Date.now() / 1000) - 120 })],
      ["future", signedInit(signed.secret, { name: "Ada", n: 1 }, { timestamp: Math.floor(Date.now() / 1000) + 120 })],
    ];
    for (const [what, init] of attempts) {
      const response = await callHook(signed.path, init);
      expect(response.status, what).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code, what).toBe("invalid_signature");
    }
    expect((await runsOfHook(signed.id)).length).toBe(before);
  });
});

describe("unknown, disabled and malformed ids", () => {
  it("answer the same 404 without saying whether a workflow exists", async () => {
    const disabled = await createWebhook(member, workflowId, { name: "to disable", authMode: "none" });
    await updateWebhook(member, workflowId, disabled.webhook.id, { enabled: false });
    const answers = await Promise.all([
      callHook("/api/hooks/" + "A".repeat(43), json({ name: "Ada", n: 1 })),
      callHook(disabled.webhook.path, json({ name: "Ada", n: 1 })),
      callHook("/api/hooks/bad%00id", json({ name: "Ada", n: 1 })),
    ]);
    // A hook whose creator may no longer start runs (now a viewer) is dead too.
    const colleague = await createTestMember("developer");
    await db().membership.create({ data: { workspaceId: member.workspaceId, userId: colleague.userId, role: "developer" } });
    const orphan = await createWebhook({ ...colleague, workspaceId: member.workspaceId, workspaceName: member.workspaceName }, workflowId, { name: "demoted", authMode: "none" });
    await db().membership.update({ where: { workspaceId_userId: { workspaceId: member.workspaceId, userId: colleague.userId } }, data: { role: "viewer" } });
    answers.push(await callHook(orphan.webhook.path, json({ name: "Ada", n: 1 })));
    const bodies = await Promise.all(answers.map((r) => r.json()));
    expect(answers.map((r) => r.status)).toEqual([404, 404, 404, 404]);
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
  });
});

describe("Idempotency-Key", () => {
  it("starts one run per key, also for concurrent deliveries, and answers every repeat with the same run", async () => {
    const key = `order-${Date.now()}`;
    const init = () => signedInit(signed.secret, { name: "Bob", n: 2 }, { headers: { "idempotency-key": key } });
    const answers = await Promise.all(Array.from({ length: 5 }, () => callHook(signed.path, init())));
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    const ids = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as { runId: string }).runId)));
    expect(ids.size).toBe(1);
    const later = await callHook(signed.path, init());
    expect(((await later.json()) as { runId: string }).runId).toBe([...ids][0]);
    expect((await runsOfHook(signed.id)).filter((r) => r.triggerKey === key)).toHaveLength(1);
    // Another key is another run.
    const other = await callHook(signed.path, signedInit(signed.secret, { name: "Bob", n: 2 }, { headers: { "idempotency-key": `${key}-b` } }));
    expect(((await other.json()) as { runId: string }).runId).not.toBe([...ids][0]);
  });
});

describe("sync mode", () => {
  it("waits for the End output and answers 200 with it; a repeat with the same key answers the same output", async () => {
    const response = await callHook(open.path, json({ name: "Cy", n: 3 }, { "idempotency-key": "sync-1" }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { runId: string; status: string; output: unknown };
    expect(body).toMatchObject({ status: "succeeded", output: { text: "hello Cy #3", n: 3 } });
    const again = await callHook(open.path, json({ name: "Cy", n: 3 }, { "idempotency-key": "sync-1" }));
    expect(await again.json()).toEqual(body);
  });

  it("answers 500 with the run id, status and error when the run failed", async () => {
    const failing = await publishedWorkflow(
      member,
      {
        version: 1,
        nodes: [
          { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
          { id: "boom", type: "code", position: { x: 200, y: 0 }, data: { inputs: [], code: "throw new Error('kaput');", outputs: [{ name: "n", type: "number" }] } },
          { id: "end", type: "end", position: { x: 400, y: 0 }, data: { outputs: [{ name: "n", value: "{{ boom.n }}" }] } },
        ],
        edges: [
          { id: "e1", source: "start", target: "boom" },
          { id: "e2", source: "boom", target: "end" },
        ],
      } as Graph,
      "Fails",
    );
    const hook = await createWebhook(member, failing, { name: "failing", authMode: "none", mode: "sync", syncTimeoutMs: 20_000 });
    const response = await callHook(hook.webhook.path, json({}));
    expect(response.status).toBe(500);
    const body = (await response.json()) as { runId: string; status: string; output: unknown; error: { code: string; message: string } };
    expect(body).toMatchObject({ status: "failed", output: null, error: { code: "code_error" } });
    expect(body.error.message).toContain("kaput");
    expect(response.headers.get("x-weft-run-id")).toBe(body.runId);
    expect((await db().run.findUniqueOrThrow({ where: { id: body.runId } })).status).toBe("failed");
  });

  it("answers 409 with the run id and status when the run is cancelled while the call waits", async () => {
    const waiting = await publishedWorkflow(member, approvalGraph(), "Cancelled while waiting");
    const hook = await createWebhook(member, waiting, { name: "cancelled", authMode: "none", mode: "sync", syncTimeoutMs: 20_000 });
    const pending = callHook(hook.webhook.path, json({ customer: "Eve" }));
    const run = await eventually(() => db().run.findFirst({ where: { triggerRefId: hook.webhook.id, status: "waiting" } }).then((r) => r ?? undefined), 15_000, "the run to wait");
    await cancelRun(member, run.id);
    const response = await pending;
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ runId: run.id, status: "cancelled", output: null });
  });

  it("answers 504 with the run id when the run does not finish in time (it goes on)", async () => {
    const waiting = await publishedWorkflow(member, approvalGraph(), "Needs approval");
    const hook = await createWebhook(member, waiting, { name: "slow", authMode: "none", mode: "sync", syncTimeoutMs: 1_000 });
    const started = Date.now();
    const response = await callHook(hook.webhook.path, json({ customer: "Dee" }));
    expect(response.status).toBe(504);
    const body = (await response.json()) as { error: { code: string; runId: string } };
    expect(body.error.code).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(10_000);
    const run = await db().run.findUniqueOrThrow({ where: { id: body.error.runId } });
    expect(["queued", "running", "waiting"]).toContain(run.status);
  });
});

describe("bodies", () => {
  it("maps a form body and, for GET, the query string to typed Start inputs", async () => {
    const form = await callHook(open.path, { method: "POST", body: "name=Eve&n=7&tags=%5B%22a%22%5D", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.status).toBe(200);
    expect(((await form.json()) as { output: unknown }).output).toEqual({ text: "hello Eve #7", n: 7 });
    const get = await callHook(open.path, { method: "GET", query: "?name=Fay&n=8" });
    expect(get.status).toBe(200);
    expect(((await get.json()) as { output: unknown }).output).toEqual({ text: "hello Fay #8", n: 8 });
  });

  it("refuses malformed JSON, a non-object body and inputs that do not fit the Start node (400 naming the fields)", async () => {
    const broken = await callHook(open.path, { method: "POST", body: "{oops", headers: { "content-type": "application/json" } });
    expect(broken.status).toBe(400);
    const array = await callHook(open.path, json([1, 2]));
    expect(array.status).toBe(400);
    const wrong = await callHook(open.path, json({ n: "seven", extra: true }));
    expect(wrong.status).toBe(400);
    const body = (await wrong.json()) as { error: { code: string; problems: { field: string }[] } };
    expect(body.error.code).toBe("invalid_input");
    expect(body.error.problems.map((p) => p.field).sort()).toEqual(["extra", "n", "name"]);
  });

  it("refuses another content type (415) and a body over the limit (413), also one that hides its length", async () => {
    expect((await callHook(open.path, { method: "POST", body: "hello", headers: { "content-type": "text/plain" } })).status).toBe(415);
    const big = JSON.stringify({ name: "x".repeat(1_100_000), n: 1 });
    expect((await callHook(open.path, json(JSON.parse(big)))).status).toBe(413);
    // A stream without Content-Length: the limit is enforced while reading.
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ > 40) return controller.close();
        controller.enqueue(chunk);
      },
    });
    const hidden = await callHook(open.path, { method: "POST", body: stream, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit);
    expect(hidden.status).toBe(413);
    expect(sent).toBeLessThan(40);
  });
});

describe("API key mode", () => {
  it("needs a key of the same workspace with runs:write; the run records the key and the hook", async () => {
    const hook = await createWebhook(member, workflowId, { name: "keyed", authMode: "api_key" });
    const key = await createKey(member, ["runs:write"]);
    const stranger = await createKey(await createTestMember("developer"), ["runs:write"]);
    const readOnly = await createKey(member, ["runs:read"]);
    expect((await callHook(hook.webhook.path, json({ name: "G", n: 1 }))).status).toBe(401);
    expect((await callHook(hook.webhook.path, json({ name: "G", n: 1 }, { authorization: `Bearer ${stranger.secret}` }))).status).toBe(401);
    expect((await callHook(hook.webhook.path, json({ name: "G", n: 1 }, { authorization: `Bearer ${readOnly.secret}` }))).status).toBe(401);
    const ok = await callHook(hook.webhook.path, json({ name: "G", n: 1 }, { authorization: `Bearer ${key.secret}` }));
    expect(ok.status).toBe(202);
    const run = await db().run.findUniqueOrThrow({ where: { id: ((await ok.json()) as { runId: string }).runId } });
    expect(run).toMatchObject({ trigger: "webhook", triggerRefId: hook.webhook.id, apiKeyId: key.id });
  });
});

describe("the runs list", () => {
  it("filters on the webhook trigger and on the webhook as initiator", async () => {
    const { listRuns } = await import("@/lib/runs/queries");
    const { runFilterOptions } = await import("@/lib/runs/run-filter-options");
    const page = await listRuns(member, { initiator: `webhook:${signed.id}`, trigger: "webhook", limit: 100 });
    const expected = (await runsOfHook(signed.id)).map((r) => r.id).sort();
    expect(page.runs.map((r) => r.id).sort()).toEqual(expected);
    expect(page.runs.every((r) => r.initiator?.kind === "webhook" && r.initiator.name === "signed hook")).toBe(true);
    const mine = await listRuns(member, { initiator: `user:${member.userId}`, limit: 100 });
    expect(mine.runs.filter((r) => expected.includes(r.id))).toEqual([]);
    const options = await runFilterOptions(member);
    expect(options.initiators).toContainEqual({ value: `webhook:${signed.id}`, label: "Webhook ‘signed hook’" });
    expect(options.triggers).toContain("webhook");
  });
});

describe("rate limits (the shared limiter of lib/limits)", () => {
  const LIMIT = 600; // WEFT_WEBHOOK_RATE_PER_MINUTE and WEFT_WEBHOOK_IP_RATE_PER_MINUTE defaults
  const plain = (address: string): RequestInit => ({ method: "POST", body: "x", headers: { "content-type": "text/plain", "x-forwarded-for": address } });

  it("limits one hook across addresses, and one address across hooks (unknown ids count), with Retry-After", async () => {
    const hook = await createWebhook(member, workflowId, { name: "busy", authMode: "none" });
    // Cheap calls (415 after the limits) from many addresses: only the hook's own limit applies.
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await callHook(hook.webhook.path, plain(`10.9.${Math.floor(i / 250)}.${i % 250}`))).status);
    expect(statuses.slice(0, LIMIT).every((s) => s === 415)).toBe(true);
    const limited = await callHook(hook.webhook.path, plain("10.9.99.1"));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);

    // One address guessing ids: 404s until its own limit, then 429 before any lookup.
    const guesses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) guesses.push((await callHook(`/api/hooks/guess${i}`, plain("192.0.2.77"))).status);
    expect(guesses.slice(0, LIMIT).every((s) => s === 404)).toBe(true);
    expect(guesses[LIMIT]).toBe(429);
    // Another address is not affected.
    expect((await callHook(`/api/hooks/guess-other`, plain("192.0.2.78"))).status).toBe(404);
  }, 120_000);
});
