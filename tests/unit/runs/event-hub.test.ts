import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import { describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.WEFT_SECRET_KEYS ??= "unit:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
  process.env.BETTER_AUTH_SECRET ??= "unit-test-secret-0123456789";
  process.env.WEFT_REDIS_PREFIX = "unit-hub";
});

import type { RunEvent } from "@/lib/engine/run-ports";
import { createRunEventHub } from "@/lib/runs/event-hub";

/** A subscriber connection that records the commands it is sent (what Redis would receive). */
class FakeSubscriber extends EventEmitter {
  commands: string[][] = [];
  failNext = false;
  async subscribe(...channels: string[]) {
    this.commands.push(["subscribe", ...channels]);
    if (this.failNext) {
      this.failNext = false;
      throw new Error("connection refused");
    }
    return channels.length;
  }
  async unsubscribe(...channels: string[]) {
    this.commands.push(["unsubscribe", ...channels]);
    return 0;
  }
  disconnect() {}
}

function hubWithFake() {
  const fake = new FakeSubscriber();
  let created = 0;
  const hub = createRunEventHub({
    name: "unit",
    connect: () => {
      created += 1;
      return fake as unknown as Redis;
    },
  });
  return { hub, fake, connections: () => created };
}

const channel = (runId: string) => `unit-hub:run-events:${runId}`;
const turn = () => new Promise((resolve) => setImmediate(resolve));
const runEvent = (status: "running" | "succeeded"): RunEvent => ({ type: "run", status, at: "2026-12-04T00:00:00.000Z" });

describe("run event hub", () => {
  it("subscribes the runs asked for in one turn with one command on one connection and delivers each run's events to its watchers only", async () => {
    const { hub, fake, connections } = hubWithFake();
    const a1: RunEvent[] = [];
    const a2: RunEvent[] = [];
    const b: RunEvent[] = [];
    await Promise.all([
      hub.subscribe("a", { onEvent: (e) => a1.push(e) }),
      hub.subscribe("a", { onEvent: (e) => a2.push(e) }),
      hub.subscribe("b", { onEvent: (e) => b.push(e) }),
    ]);
    expect(fake.commands).toEqual([["subscribe", channel("a"), channel("b")]]);
    expect(connections()).toBe(1);
    expect(hub.stats()).toEqual({ connections: 1, channels: 2, watchers: 3 });

    fake.emit("message", channel("a"), JSON.stringify(runEvent("running")));
    // A run's events of one batch arrive as one array message, in order.
    fake.emit("message", channel("b"), JSON.stringify([runEvent("running"), runEvent("succeeded")]));
    fake.emit("message", channel("b"), "not json");
    expect(a1).toEqual([runEvent("running")]);
    expect(a2).toEqual([runEvent("running")]);
    expect(b).toEqual([runEvent("running"), runEvent("succeeded")]);
  });

  it("unsubscribes a run when its last watcher leaves, and keeps a channel left and re-joined in the same turn", async () => {
    const { hub, fake } = hubWithFake();
    const leaveFirst = await hub.subscribe("a", { onEvent: () => undefined });
    const leaveSecond = await hub.subscribe("a", { onEvent: () => undefined });
    leaveFirst();
    await turn();
    expect(fake.commands).toEqual([["subscribe", channel("a")]]);
    leaveSecond();
    const events: RunEvent[] = [];
    const rejoined = hub.subscribe("a", { onEvent: (e) => events.push(e) });
    await rejoined;
    expect(fake.commands.slice(1)).toEqual([["subscribe", channel("a")]]);
    fake.emit("message", channel("a"), JSON.stringify(runEvent("succeeded")));
    expect(events).toHaveLength(1);
    (await rejoined)();
    await turn();
    expect(fake.commands.at(-1)).toEqual(["unsubscribe", channel("a")]);
    expect(hub.stats()).toEqual({ connections: 1, channels: 0, watchers: 0 });
  });

  it("tells every watcher (of a run's events or of its end) about a gap when the subscriber reconnects", async () => {
    const { hub, fake } = hubWithFake();
    const gaps: string[] = [];
    await hub.subscribe("a", { onEvent: () => undefined, onGap: () => gaps.push("a") });
    await hub.subscribe("b", { onEvent: () => undefined, onGap: () => gaps.push("b") });
    await hub.watchEnd("c", { onEnd: () => undefined, onGap: () => gaps.push("c") });
    fake.emit("ready");
    expect(gaps).toEqual([]);
    fake.emit("ready");
    expect(gaps.sort()).toEqual(["a", "b", "c"]);
  });

  it("rejects the watchers of a failed SUBSCRIBE and asks again for the next one", async () => {
    const { hub, fake } = hubWithFake();
    fake.failNext = true;
    await expect(hub.subscribe("a", { onEvent: () => undefined })).rejects.toThrow("connection refused");
    expect(hub.stats().channels).toBe(0);
    await hub.subscribe("a", { onEvent: () => undefined });
    expect(fake.commands).toEqual([
      ["subscribe", channel("a")],
      ["subscribe", channel("a")],
    ]);
  });
});

describe("knowledge base channels on the same hub", () => {
  it("share the one connection, and a follower hands on only the events the snapshot is not past, then re-reads after a gap", async () => {
    const { followKnowledgeBase } = await import("@/lib/knowledge/follow");
    const { hub, fake, connections } = hubWithFake();
    await hub.subscribe("a", { onEvent: () => undefined });
    const progress = (documentId: string, status: string, chunksDone: number) => ({ type: "document", knowledgeBaseId: "kb", documentId, status, chunksDone, chunksTotal: 10, error: null });
    const kbChannel = "unit-hub:knowledge-events:kb";
    let loads = 0;
    const snapshots: unknown[] = [];
    const events: unknown[] = [];
    const leave = await followKnowledgeBase(
      "kb",
      {
        load: async () => {
          loads += 1;
          // Published while the snapshot is read: one behind it (dropped), one ahead (handed on), one malformed.
          if (loads === 1) {
            fake.emit("message", kbChannel, JSON.stringify(progress("d1", "embedding", 4)));
            fake.emit("message", kbChannel, JSON.stringify(progress("d1", "embedding", 8)));
            fake.emit("message", kbChannel, JSON.stringify({ type: "document", documentId: "d1" }));
          }
          return { documents: [{ id: "d1", status: "embedding", chunksDone: 6 }] };
        },
        documents: (snapshot) => snapshot.documents,
        onSnapshot: (snapshot) => snapshots.push(snapshot),
        onEvent: (event) => events.push(event),
      },
      { hub },
    );
    expect(connections()).toBe(1);
    expect(fake.commands.at(-1)).toEqual(["subscribe", kbChannel]);
    expect(snapshots).toHaveLength(1);
    expect(events).toEqual([progress("d1", "embedding", 8)]);

    fake.emit("message", kbChannel, JSON.stringify(progress("d1", "indexed", 10)));
    expect(events.at(-1)).toEqual(progress("d1", "indexed", 10));
    // A reconnect of the subscriber: messages may be lost, so a fresh snapshot goes out.
    fake.emit("ready");
    fake.emit("ready");
    await turn();
    expect(snapshots).toHaveLength(2);
    await leave();
    await turn();
    expect(fake.commands.at(-1)).toEqual(["unsubscribe", kbChannel]);
  });

  it("watches runs' ends on one channel joined once: no command per watcher, each end to its run's watchers only, a failed join asked again", async () => {
    const { hub, fake } = hubWithFake();
    const ends = "unit-hub:run-ends";
    fake.failNext = true;
    await expect(hub.watchEnd("a", { onEnd: () => undefined })).rejects.toThrow("connection refused");
    expect(hub.stats().watchers).toBe(0);

    const seen: string[] = [];
    const leaveA = await hub.watchEnd("a", { onEnd: (status) => seen.push(`a:${status}`) });
    await hub.watchEnd("b", { onEnd: (status) => seen.push(`b:${status}`) });
    await hub.watchEnd("b", { onEnd: (status) => seen.push(`b2:${status}`) });
    expect(fake.commands).toEqual([["subscribe", ends], ["subscribe", ends]]);
    expect(hub.stats()).toEqual({ connections: 1, channels: 1, watchers: 3 });

    fake.emit("message", ends, JSON.stringify({ type: "run-end", runId: "b", status: "succeeded" }));
    fake.emit("message", ends, JSON.stringify({ type: "run-end", runId: "c", status: "failed" }));
    fake.emit("message", ends, JSON.stringify({ type: "run-end", runId: 7, status: "failed" }));
    expect(seen).toEqual(["b:succeeded", "b2:succeeded"]);

    leaveA();
    await turn();
    fake.emit("message", ends, JSON.stringify({ type: "run-end", runId: "a", status: "cancelled" }));
    expect(seen).toEqual(["b:succeeded", "b2:succeeded"]);
    // Leaving sends nothing: the channel stays joined for the next waiter.
    expect(fake.commands).toHaveLength(2);
    expect(hub.stats()).toEqual({ connections: 1, channels: 1, watchers: 2 });
  });
});
