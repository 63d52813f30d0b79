import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { CodeRequest } from "@/lib/engine/ports";
import { createSandboxPool, type SandboxPool, type SandboxPoolOptions } from "@/lib/sandbox/pool";
import { acceptReply, parseReplyLine, type SandboxReply } from "@/lib/sandbox/protocol";
import type { SpawnSandbox } from "@/lib/sandbox/process";

/**
 * The sandbox pool against a child that misbehaves on purpose (tests/fixtures/sandbox-hostile-child.mjs):
 * whatever comes back, only the jobs that child held fail, with a NodeError, and the next job
 * succeeds. This test process plays the worker: an uncaught exception or unhandled rejection here
 * fails the run.
 */
const childPath = fileURLToPath(new URL("../../fixtures/sandbox-hostile-child.mjs", import.meta.url));
const pools: SandboxPool[] = [];
/** A pool of hostile children whose `forks()` counts the processes it started. */
function hostilePool(options: SandboxPoolOptions = {}) {
  let forks = 0;
  const counting: SpawnSandbox = (command, args, spawnOptions) => (forks++, spawn(command, args, spawnOptions));
  const created = createSandboxPool({ processes: 2, jobsPerProcess: 4, childPath, spawn: counting, ...options });
  pools.push(created);
  return Object.assign(created, { forks: () => forks });
}
const pool = hostilePool();
afterAll(() => pools.forEach((p) => p.close()));

const request = (code: string, extra: Partial<CodeRequest> = {}): CodeRequest => ({
  code,
  inputs: {},
  timeoutMs: 100,
  memoryMb: 16,
  maxOutputBytes: 10_000,
  signal: new AbortController().signal,
  ...extra,
});
const job = (code: string, extra: Partial<CodeRequest> = {}) => pool.run(request(code, extra));
const outcome = (promise: Promise<{ result: Record<string, unknown> }>) =>
  promise.then(
    ({ result }) => result,
    (error: unknown) => error as NodeError,
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function expectNextJobSucceeds(): Promise<number> {
  const { result } = await job("ok");
  expect(result.ok).toBe(1);
  return result.pid as number;
}

async function expectCleanFailure(promise: Promise<unknown>): Promise<NodeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NodeError);
  expect(["code_error", "code_limit"]).toContain((error as NodeError).code);
  return error as NodeError;
}

// A fixed-seed generator, so a failing case can be replayed.
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const FRAGMENTS = ['{"id":', "1", ',"ok":true', ',"json":"{}"', ',"logs":[]', ',"durationMs":1', "}", "[", "]", "null", '"__proto__"', ":", ",", "\\u0000", "\u{1F600}", "\ud800", "{", "\n", "true", "-1e309", '"', "\\"];

function hostileText(next: () => number): string {
  const parts: string[] = [];
  const count = 1 + Math.floor(next() * 12);
  for (let i = 0; i < count; i++) parts.push(FRAGMENTS[Math.floor(next() * FRAGMENTS.length)]!);
  return `${parts.join("")}\n`;
}

describe("sandbox pool against a hostile child", () => {
  // Jobs run one at a time here, so "the next job" may land on either process: both must serve.
  it.each([
    ["non-json", /not JSON/],
    ["null", /shape of a reply/],
    ["array", /shape of a reply/],
    ["number", /shape of a reply/],
    ["string", /shape of a reply/],
    ["proto-reply", /__proto__/],
    ["proto-result", /__proto__/],
    ["nested-proto", /__proto__/],
    ["missing-fields", /shape of a reply/],
    ["extra-key", /shape of a reply/],
    ["bad-kind", /shape of a reply/],
    ["wrong-types", /shape of a reply/],
    ["result-not-json", /result: it is not JSON/],
    ["result-array", /result is not a JSON object/],
    ["result-null", /result is not a JSON object/],
    ["result-too-big", /larger than 10000 bytes/],
    ["huge-line", /too large/],
    ["huge-logs", /shape of a reply/],
  ])("a reply that is %s fails only that job, and the next job succeeds", async (behaviour, message) => {
    const error = await expectCleanFailure(job(behaviour));
    expect(error.code).toBe("code_error");
    expect(error.message).toMatch(/The code sandbox sent a reply that cannot be used/);
    expect(error.message).toMatch(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expectNextJobSucceeds();
  });

  it.each([
    ["exit", /stopped unexpectedly \(exit 3\)/],
    ["kill-self", /stopped unexpectedly \(SIGKILL\)/],
    ["partial-then-exit", /stopped unexpectedly \(exit 0\)/],
  ])("a child that does %s mid-job fails only that job, and the next job succeeds", async (behaviour, message) => {
    const error = await expectCleanFailure(job(behaviour));
    expect(error.message).toMatch(message);
    await expectNextJobSucceeds();
  });

  it("a child that never replies is killed at the hard limit, and the next job succeeds", async () => {
    const started = Date.now();
    const error = await expectCleanFailure(job("silent", { timeoutMs: 50 }));
    expect(error).toMatchObject({ code: "code_limit", message: "The code ran longer than its time limit of 50 ms and was stopped." });
    expect(Date.now() - started).toBeLessThan(5_000);
    await expectNextJobSucceeds();
  });

  it("a child that replies twice keeps its first answer but is never reused", async () => {
    for (const behaviour of ["twice", "twice-later", "stale-then-ok"]) {
      const { result } = await job(behaviour);
      const first = result.pid as number;
      // Let a late second reply arrive: the child is retired then, whichever job it reaches.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const pids = [await expectNextJobSucceeds(), await expectNextJobSucceeds()];
      expect(pids).not.toContain(first);
    }
  });

  it("a child is reused after a reply that validated", async () => {
    const a = await expectNextJobSucceeds();
    const b = await expectNextJobSucceeds();
    expect(b).toBe(a);
  });

  it("survives 60 random hostile replies (seeded fuzz), each failing only its own job", async () => {
    const next = random(20261204);
    for (let i = 0; i < 60; i++) {
      const text = hostileText(next);
      const outcome = await job("raw", { inputs: { text } }).then(
        () => "succeeded",
        (e: unknown) => (e instanceof NodeError && (e.code === "code_error" || e.code === "code_limit") ? "failed cleanly" : e),
      );
      expect(outcome, `case ${i}: ${JSON.stringify(text)}`).toBe("failed cleanly");
      if (i % 10 === 0) await expectNextJobSucceeds();
    }
    await expectNextJobSucceeds();
  }, 120_000);

  it("runs 32 jobs at once on its long-lived processes, each result to its own caller, forking nothing", async () => {
    const own = hostilePool({ processes: 2, jobsPerProcess: 16 });
    await own.ready();
    const forks = own.forks();
    // Random delays: the replies come back out of order and interleaved on each process's stdout.
    const results = await Promise.all(Array.from({ length: 32 }, (_, n) => own.run(request("ok", { inputs: { n, delayMs: (n * 37) % 60 } }))));
    expect(results.map((r) => r.result.n)).toEqual(Array.from({ length: 32 }, (_, n) => n));
    expect(new Set(results.map((r) => r.result.pid))).toEqual(new Set(own.stats().pids));
    expect(own.forks()).toBe(forks);
  });

  it("a broken reply fails the jobs its process held; the other process keeps serving and a replacement starts", async () => {
    const own = hostilePool({ processes: 2, jobsPerProcess: 4 });
    await own.ready();
    const before = own.stats().pids;
    // Least loaded first: jobs alternate between the two processes (1 → a, 2 → b, 3 → a, 4 → b).
    const jobs = [
      own.run(request("ok", { inputs: { n: 1, delayMs: 150 } })),
      own.run(request("non-json", { inputs: { delayMs: 30 } })),
      own.run(request("ok", { inputs: { n: 3, delayMs: 150 } })),
      own.run(request("ok", { inputs: { n: 4, delayMs: 150 } })),
    ].map(outcome);
    const [first, broken, third, neighbour] = await Promise.all(jobs);
    expect(broken).toMatchObject({ code: "code_error", message: expect.stringMatching(/cannot be used \(it is not JSON\)/) });
    expect(neighbour).toMatchObject({ code: "code_error", message: expect.stringMatching(/cannot be used \(it is not JSON\)/) });
    expect(first).toMatchObject({ n: 1 });
    expect(third).toMatchObject({ n: 3, pid: (first as Record<string, unknown>).pid });
    await own.ready();
    await waitFor(() => own.stats().serving === 2);
    expect(own.forks()).toBe(3);
    expect(own.stats().pids).toContain((first as Record<string, unknown>).pid);
    expect(own.stats().pids.filter((pid) => before.includes(pid))).toHaveLength(1);
    expect((await own.run(request("ok", { inputs: { n: 5 } }))).result.n).toBe(5);
  });

  it("cancel answers only the cancelled job; a child that ignores the cancel is replaced after the grace period", async () => {
    const own = hostilePool({ processes: 1, jobsPerProcess: 4 });
    await own.ready();
    const controller = new AbortController();
    const neighbour = own.run(request("ok", { inputs: { n: 7, delayMs: 200 } }));
    const cancelled = outcome(own.run(request("silent", { timeoutMs: 5_000, signal: controller.signal })));
    setTimeout(() => controller.abort(), 50);
    expect(await cancelled).toMatchObject({ code: "cancelled" });
    expect((await neighbour).result.n).toBe(7);
    expect(own.forks()).toBe(1);

    const ignored = new AbortController();
    const stuck = outcome(own.run(request("ignore-cancel", { timeoutMs: 10_000, signal: ignored.signal })));
    const started = Date.now();
    ignored.abort();
    expect(await stuck).toMatchObject({ code: "cancelled" });
    expect(Date.now() - started).toBeLessThan(500);
    await waitFor(() => own.forks() === 2 && own.stats().serving === 1, 6_000);
    expect((await own.run(request("ok", { inputs: { n: 8 } }))).result.n).toBe(8);
  });

  it("queues jobs past every free slot, refuses past the queue limit, and drops a cancelled job from the queue", async () => {
    const own = hostilePool({ processes: 1, jobsPerProcess: 2, queueLimit: 3 });
    await own.ready();
    const slow = (n: number, signal?: AbortSignal) => outcome(own.run(request("ok", { inputs: { n, delayMs: 100 }, ...(signal ? { signal } : {}) })));
    const leaving = new AbortController();
    const jobs = [slow(1), slow(2), slow(3), slow(4, leaving.signal), slow(5)];
    expect(own.stats()).toMatchObject({ running: 2, queued: 3 });
    const refused = await outcome(own.run(request("ok")));
    expect(refused).toMatchObject({ code: "limit_exceeded", retryable: true, message: expect.stringMatching(/busy: 3 jobs are already waiting/) });
    leaving.abort();
    expect(own.stats().queued).toBe(2);
    const results = await Promise.all(jobs);
    expect(results[3]).toMatchObject({ code: "cancelled" });
    expect([0, 1, 2, 4].map((i) => (results[i] as Record<string, unknown>).n)).toEqual([1, 2, 3, 5]);
    expect(own.forks()).toBe(1);
  });

  it("jobs waiting for a process that cannot start fail with the reason instead of waiting", async () => {
    const broken = hostilePool({ processes: 1, childPath: "/nonexistent/sandbox-child.mjs" });
    const error = await outcome(broken.run(request("ok")));
    expect(error).toMatchObject({ code: "internal", message: expect.stringMatching(/^The code sandbox could not start: it exited \(exit 1\)/) });
    broken.close();
  });

  it("a burst of 100 jobs forks no process", async () => {
    const own = hostilePool({ processes: 2, jobsPerProcess: 8 });
    await own.ready();
    const results = await Promise.all(Array.from({ length: 100 }, (_, n) => own.run(request("ok", { inputs: { n } }))));
    expect(results.map((r) => r.result.n)).toEqual(Array.from({ length: 100 }, (_, n) => n));
    expect(own.forks()).toBe(2);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(10);
  }
}

describe("parseReplyLine and acceptReply", () => {
  const accepted = { maxOutputBytes: 100 };
  const envelope = (line: string): SandboxReply => {
    const parsed = parseReplyLine(line);
    if (!parsed.ok) throw new Error(parsed.problem);
    return parsed.value;
  };

  it("accepts a success reply and parses its result", () => {
    const line = JSON.stringify({ id: 7, ok: true, json: '{"a":[1,{"b":null}]}', logs: ["hi"], durationMs: 3 });
    expect(acceptReply(envelope(line), accepted)).toEqual({ ok: true, value: { id: 7, ok: true, result: { a: [1, { b: null }] }, logs: ["hi"], durationMs: 3 } });
  });

  it("accepts a failure reply as the child reported it", () => {
    const line = JSON.stringify({ id: 7, ok: false, kind: "thrown", message: "boom", line: 2, logs: [], durationMs: 1 });
    expect(acceptReply(envelope(line), accepted)).toEqual({ ok: true, value: { id: 7, ok: false, kind: "thrown", message: "boom", line: 2, logs: [], durationMs: 1 } });
  });

  it("refuses an envelope that is not JSON, has the wrong shape or a __proto__ key", () => {
    expect(parseReplyLine("not json")).toEqual({ ok: false, problem: "it is not JSON" });
    expect(parseReplyLine("[1]")).toEqual({ ok: false, problem: "it does not have the shape of a reply" });
    expect(parseReplyLine('{"__proto__":{},"id":1}')).toEqual({ ok: false, problem: 'it has a "__proto__" key' });
  });

  it("counts the result's size in UTF-8 bytes", () => {
    const line = JSON.stringify({ id: 7, ok: true, json: JSON.stringify({ s: "é".repeat(60) }), logs: [], durationMs: 1 });
    expect(acceptReply(envelope(line), accepted)).toEqual({ ok: false, problem: "its result is larger than 100 bytes" });
  });
});
