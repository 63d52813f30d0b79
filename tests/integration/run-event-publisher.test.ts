import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import type { RunEvent } from "@/lib/engine/run-ports";
import { encodeRunEvents } from "@/lib/runs/event-message";
import { MAX_END_VIEW_CHARS, RUN_START_HOLD_MS, createRunEventPublisher, partialKey, readPartials, runChannel, runEndMessage, runEndsChannel } from "@/lib/runs/events";

/**
 * The worker's run event publisher (lib/runs/events.ts) against real Redis: one script call per
 * run per batch keeps each streaming step's partial text and publishes the run's message, with
 * each delta's byte offset in that text (what followers use to drop what a snapshot covered).
 */
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const listener = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");

afterAll(() => {
  redis.disconnect();
  listener.disconnect();
});

/** Every message published on the runs' channels until `count` arrived, parsed, per run. */
async function listen(runIds: string[], count: number, act: () => Promise<void>): Promise<Map<string, unknown[]>> {
  const received = new Map<string, unknown[]>(runIds.map((id) => [id, []]));
  const channels = new Map(runIds.map((id) => [runChannel(id), id]));
  let seen = 0;
  const done = new Promise<void>((resolve) => {
    listener.on("message", (channel: string, message: string) => {
      const runId = channels.get(channel);
      if (!runId) return;
      received.get(runId)!.push(JSON.parse(message));
      if (++seen === count) resolve();
    });
  });
  await listener.subscribe(...channels.keys());
  await act();
  await done;
  await listener.unsubscribe(...channels.keys());
  listener.removeAllListeners("message");
  return received;
}

const at = new Date().toISOString();
const step = (nodeId: string, status: "running" | "succeeded"): RunEvent => ({ type: "step", nodeId, iteration: 0, status, at });
const delta = (nodeId: string, text: string): RunEvent => ({ type: "delta", nodeId, iteration: 0, text });

describe("run event publisher", () => {
  it("publishes a batch of one run as one message in order, with each delta's byte offset, and keeps the partial text", async () => {
    const runId = randomUUID();
    const publisher = createRunEventPublisher(redis);
    // A stale partial from an earlier attempt of the step: its `running` event clears it.
    await redis.set(partialKey(runId, "llm", 0), "stale text");
    const received = await listen([runId], 1, async () => {
      // All in one turn of the event loop: one batch, so one message.
      publisher.publish(runId, step("llm", "running"));
      publisher.publish(runId, delta("llm", "Grüß "));
      publisher.publish(runId, step("other", "succeeded"));
      await publisher.flush();
    });
    const [message] = received.get(runId)!;
    expect(message).toEqual([
      { type: "step", nodeId: "llm", iteration: 0, status: "running", at },
      { type: "delta", nodeId: "llm", iteration: 0, text: "Grüß ", offset: 0 },
      { type: "step", nodeId: "other", iteration: 0, status: "succeeded", at },
    ]);
    expect(await readPartials(redis, runId, [{ nodeId: "llm", iteration: 0 }])).toEqual(new Map([["llm:0", "Grüß "]]));
    expect(await redis.ttl(partialKey(runId, "llm", 0))).toBeGreaterThan(3000);

    // Later text of the same step: its offset counts bytes ("Grüß " is 7 bytes in UTF-8).
    const later = await listen([runId], 1, async () => {
      publisher.publish(runId, delta("llm", "Gott — 你好"));
      await publisher.flush();
    });
    expect(later.get(runId)).toEqual([{ type: "delta", nodeId: "llm", iteration: 0, text: "Gott — 你好", offset: 7 }]);
    expect((await readPartials(redis, runId, [{ nodeId: "llm", iteration: 0 }])).get("llm:0")).toBe("Grüß Gott — 你好");
  });

  it("sends the batches of several runs in one pipeline, each run on its own channel", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const publisher = createRunEventPublisher(redis);
    const received = await listen([a, b], 2, async () => {
      publisher.publish(a, delta("x", "one"));
      publisher.publish(b, step("y", "succeeded"));
      publisher.publish(b, { type: "run", status: "succeeded", output: { sum: 6 }, at });
      await publisher.flush();
    });
    expect(received.get(a)).toEqual([{ type: "delta", nodeId: "x", iteration: 0, text: "one", offset: 0 }]);
    expect(received.get(b)).toEqual([
      [
        { type: "step", nodeId: "y", iteration: 0, status: "succeeded", at },
        { type: "run", status: "succeeded", output: { sum: 6 }, at },
      ],
    ]);
  });

  it("holds a run's start until its next event, which it leaves with in one message, or until the hold ends", async () => {
    const [short, long] = [randomUUID(), randomUUID()];
    const publisher = createRunEventPublisher(redis);
    const running: RunEvent = { type: "run", status: "running", at };
    const started = Date.now();
    const timeline: { runId: string; ms: number; message: unknown }[] = [];
    const channels = new Map([short, long].map((id) => [runChannel(id), id]));
    listener.on("message", (channel: string, message: string) => {
      const runId = channels.get(channel);
      if (runId) timeline.push({ runId, ms: Date.now() - started, message: JSON.parse(message) });
    });
    await listener.subscribe(...channels.keys());
    publisher.publish(short, running);
    publisher.publish(long, running);
    // The short run ends after 10 ms: its start, step and end leave together.
    await new Promise((resolve) => setTimeout(resolve, 10));
    publisher.publish(short, step("code", "succeeded"));
    publisher.publish(short, { type: "run", status: "succeeded", output: { sum: 6 }, at });
    // The long run's start leaves alone when the hold ends.
    await expect.poll(() => timeline.length, { timeout: 2_000 }).toBe(2);
    await publisher.flush();
    await listener.unsubscribe(...channels.keys());
    listener.removeAllListeners("message");

    expect(timeline[0]!.runId).toBe(short);
    expect(timeline[0]!.message).toEqual([running, step("code", "succeeded"), { type: "run", status: "succeeded", output: { sum: 6 }, at }]);
    expect(timeline[0]!.ms).toBeLessThan(RUN_START_HOLD_MS);
    expect(timeline[1]).toMatchObject({ runId: long, message: running });
    expect(timeline[1]!.ms).toBeGreaterThanOrEqual(RUN_START_HOLD_MS - 5);
  });

  it("flush sends a start still held", async () => {
    const runId = randomUUID();
    const publisher = createRunEventPublisher(redis);
    const received = await listen([runId], 1, async () => {
      publisher.publish(runId, { type: "run", status: "running", at });
      await publisher.flush();
    });
    expect(received.get(runId)).toEqual([{ type: "run", status: "running", at }]);
  });
});

describe("encodeRunEvents", () => {
  const key = (nodeId: string, iteration: number) => `p:${nodeId}:${iteration}`;

  it("leaves a gap after each delta's offset and one more fragment than texts", () => {
    const encoded = encodeRunEvents([delta("a", 'say "hi"'), step("a", "running"), delta("a", "x")], key);
    expect(encoded.keys).toEqual(["p:a:0", "p:a:0", "p:a:0"]);
    expect(encoded.ops).toBe("ara");
    expect(encoded.texts).toEqual(['say "hi"', "x"]);
    expect(encoded.fragments).toHaveLength(3);
    // Filled in as the script does, the message is the events' JSON with their offsets.
    const filled = encoded.fragments[0] + "10" + encoded.fragments[1] + "0" + encoded.fragments[2];
    expect(JSON.parse(filled)).toEqual([
      { type: "delta", nodeId: "a", iteration: 0, text: 'say "hi"', offset: 10 },
      { type: "step", nodeId: "a", iteration: 0, status: "running", at },
      { type: "delta", nodeId: "a", iteration: 0, text: "x", offset: 0 },
    ]);
  });

  it("encodes a single event without an array and without operations when it streams nothing", () => {
    const encoded = encodeRunEvents([step("a", "succeeded")], key);
    expect(encoded).toEqual({ keys: [], ops: "", texts: [], fragments: [JSON.stringify(step("a", "succeeded"))] });
  });
});

describe("run end messages", () => {
  it("tells a run's view with its end on the ends channel only, and leaves a view past the limit out", async () => {
    const runId = randomUUID();
    const publisher = createRunEventPublisher(redis);
    const view = { id: runId, status: "succeeded", steps: [{ nodeId: "code" }] };
    const ends: unknown[] = [];
    listener.on("message", (channel: string, message: string) => {
      if (channel === runEndsChannel()) ends.push(JSON.parse(message));
    });
    await listener.subscribe(runEndsChannel());
    const received = await listen([runId], 1, async () => {
      publisher.publish(runId, { type: "run", status: "succeeded", output: { sum: 3 }, error: null, at }, JSON.stringify(view));
      await publisher.flush();
    });
    for (let i = 0; i < 50 && ends.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await listener.unsubscribe(runEndsChannel());
    listener.removeAllListeners("message");
    expect(ends).toEqual([{ type: "run-end", runId, status: "succeeded", view }]);
    // The run's own channel (live watchers, SSE) gets the end event without the view.
    expect(received.get(runId)).toEqual([{ type: "run", status: "succeeded", output: { sum: 3 }, error: null, at }]);
    expect(JSON.parse(runEndMessage(runId, "failed", JSON.stringify({ text: "x".repeat(MAX_END_VIEW_CHARS) })))).toEqual({ type: "run-end", runId, status: "failed" });
    expect(JSON.parse(runEndMessage(runId, "failed"))).toEqual({ type: "run-end", runId, status: "failed" });
  });
});
