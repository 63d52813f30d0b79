import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { estimatePromptTokens, stepCallMemory, withProviderLimits } from "@/lib/limits/provider-gate";
import { RunThrottled } from "@/lib/limits/throttled";
import { createRateLimiter } from "@/lib/limits/rate-limiter";
import { createRedis, redisPrefix } from "@/lib/queue/redis";

/** The Lua limiter against the real Redis: what it admits, what it refuses and for how long. */

const redis = createRedis();
const limiter = createRateLimiter({ redis, windowMs: 1_000, slotTtlMs: 1_000 });
const scope = () => `test:${randomUUID()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(() => redis.disconnect());

describe("rate limiter", () => {
  it("admits N requests per window, then says how long until the oldest leaves it", async () => {
    const s = scope();
    for (let i = 0; i < 3; i++) expect((await limiter.acquire(s, { requestsPerMinute: 3 }, 0)).ok).toBe(true);
    const refused = await limiter.acquire(s, { requestsPerMinute: 3 }, 0);
    expect(refused).toMatchObject({ ok: false, limit: "requests" });
    expect(refused.ok === false && refused.retryAfterMs).toBeLessThanOrEqual(1_000);
    await sleep(1_050);
    expect((await limiter.acquire(s, { requestsPerMinute: 3 }, 0)).ok).toBe(true);
  });

  it("counts a request against several limits in one call: all admitted, or none charged and the full one named", async () => {
    const [app, caller] = [scope(), scope()];
    const limits = [
      { scope: app, perMinute: 3 },
      { scope: caller, perMinute: 1 },
    ];
    expect(await limiter.admitRequests(limits)).toBeNull();
    const refused = await limiter.admitRequests(limits);
    expect(refused?.limit).toEqual({ scope: caller, perMinute: 1 });
    expect(refused?.retryAfterMs).toBeGreaterThan(0);
    expect(refused?.retryAfterMs).toBeLessThanOrEqual(1_000);
    // The refused request did not count against the app: two more fit in its window of three.
    expect(await limiter.admitRequests([{ scope: app, perMinute: 3 }])).toBeNull();
    expect(await limiter.admitRequests([{ scope: app, perMinute: 3 }])).toBeNull();
    expect((await limiter.admitRequests([{ scope: app, perMinute: 3 }]))?.limit.scope).toBe(app);
    // The same window as acquire's request limit.
    expect(await limiter.acquire(app, { requestsPerMinute: 3 }, 0)).toMatchObject({ ok: false, limit: "requests" });
  });

  it("reserves the token estimate, and the real usage replaces it", async () => {
    const s = scope();
    const limits = { tokensPerMinute: 100 };
    const first = await limiter.acquire(s, limits, 60);
    expect(first.ok).toBe(true);
    expect(await limiter.acquire(s, limits, 50)).toMatchObject({ ok: false, limit: "tokens" });
    // The call used fewer tokens than estimated: room for the next one.
    if (first.ok) await first.lease.settle(30);
    expect((await limiter.acquire(s, limits, 50)).ok).toBe(true);
  });

  it("lets a call larger than the whole limit through alone, once the window is empty", async () => {
    const s = scope();
    expect((await limiter.acquire(s, { tokensPerMinute: 100 }, 500)).ok).toBe(true);
    expect(await limiter.acquire(s, { tokensPerMinute: 100 }, 1)).toMatchObject({ ok: false, limit: "tokens" });
  });

  it("holds concurrent-call slots until released, and a dead holder's slot expires", async () => {
    const s = scope();
    const limits = { maxConcurrentCalls: 1 };
    const held = await limiter.acquire(s, limits, 0);
    expect(held.ok).toBe(true);
    expect(await limiter.acquire(s, limits, 0)).toMatchObject({ ok: false, limit: "concurrency" });
    if (held.ok) await held.lease.release();
    const again = await limiter.acquire(s, limits, 0);
    expect(again.ok).toBe(true);
    if (again.ok) await again.lease.release();

    // A process that died holding a slot renews it no more: written as it would have left it.
    await redis.zadd(`${redisPrefix()}:limits:${s}:slots`, Date.now() + 400, "dead-worker-slot");
    expect(await limiter.acquire(s, limits, 0)).toMatchObject({ ok: false, limit: "concurrency" });
    await sleep(500);
    const after = await limiter.acquire(s, limits, 0);
    expect(after.ok).toBe(true);
    if (after.ok) await after.lease.release();
  });

  it("estimates the prompt's tokens locally, tools included", async () => {
    const plain = await estimatePromptTokens({ model: "gpt-4o", messages: [{ role: "user", content: "Hello there, how are you today?" }] });
    expect(plain).toBeGreaterThan(5);
    const withTools = await estimatePromptTokens({
      model: "gpt-4o",
      messages: [{ role: "user", content: "Hello there, how are you today?" }],
      tools: [{ name: "lookup", description: "Looks a customer up", parameters: { type: "object", properties: { id: { type: "string" } } } }],
    });
    expect(withTools).toBeGreaterThan(plain);
  });
});

describe("provider gate", () => {
  const provider = () => ({ id: randomUUID(), name: "Gated", limits: { requestsPerMinute: 1 } });
  const request = (key: string) => ({ providerId: "p", model: "gpt-4o", messages: [{ role: "user" as const, content: "hi" }], signal: new AbortController().signal, idempotencyKey: key });
  const answer = async () => ({ text: "ok", model: "gpt-4o", usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } });

  it("throws RunThrottled for a step's first call, and waits in place for a step that already called", async () => {
    const p = provider();
    const memory = stepCallMemory();
    const first = request("run:agent:0");
    await withProviderLimits(p, first, answer, { waitInPlace: memory.hasCalled(first), limiter });
    memory.remember(first);

    const other = request("run:llm:0");
    const refused = await withProviderLimits(p, other, answer, { waitInPlace: memory.hasCalled(other), limiter }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RunThrottled);
    expect(refused).toMatchObject({ reason: 'provider "Gated" allows 1 request per minute' });
    expect((refused as RunThrottled).retryAfterMs).toBeLessThanOrEqual(1_000);

    // The agent's second model call: same step, so it waits for the window instead of giving the run back.
    const again = request("run:agent:0:model-1");
    expect(memory.hasCalled(again)).toBe(true);
    await expect(withProviderLimits(p, again, answer, { waitInPlace: true, limiter })).resolves.toMatchObject({ text: "ok" });
  });

  it("runs calls of a provider without limits as they are", async () => {
    const unlimited = { id: randomUUID(), name: "Free", limits: {} };
    for (let i = 0; i < 5; i++) await expect(withProviderLimits(unlimited, request(`r:n:${i}`), answer, { waitInPlace: false, limiter })).resolves.toMatchObject({ text: "ok" });
  });
});
