import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { CodeRequest } from "@/lib/engine/ports";
import { createSandboxPool, type SandboxPool, type SandboxPoolOptions } from "@/lib/sandbox/pool";
import type { SpawnSandbox } from "@/lib/sandbox/process";

/**
 * The real sandbox pool (child.mjs, isolated-vm): long-lived processes each running many jobs at
 * once, one isolate per job. Every pool counts the processes it forks.
 */
const pools: SandboxPool[] = [];
afterAll(() => pools.forEach((pool) => pool.close()));

async function realPool(options: SandboxPoolOptions) {
  let forks = 0;
  const counting: SpawnSandbox = (command, args, spawnOptions) => (forks++, spawn(command, args, spawnOptions));
  const pool = createSandboxPool({ spawn: counting, ...options });
  pools.push(pool);
  await pool.ready();
  return Object.assign(pool, { forks: () => forks });
}

const request = (code: string, inputs: Record<string, unknown> = {}, extra: Partial<CodeRequest> = {}): CodeRequest => ({
  code,
  inputs,
  timeoutMs: 2_000,
  memoryMb: 32,
  maxOutputBytes: 100_000,
  signal: new AbortController().signal,
  ...extra,
});
const settle = (promise: Promise<{ result: Record<string, unknown> }>) =>
  promise.then(
    ({ result }) => result,
    (error: unknown) => error as NodeError,
  );
/** Code that keeps its isolate's thread busy for `inputs.ms` and returns `inputs.n`. */
const BUSY = "const end = Date.now() + inputs.ms; while (Date.now() < end) {}\nreturn { n: inputs.n };";

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("sandbox pool (real isolates)", () => {
  it("runs 32 jobs at once, each result to its own caller, on the processes it started with", async () => {
    const pool = await realPool({ processes: 2, jobsPerProcess: 16 });
    const jobs = Array.from({ length: 32 }, (_, n) => pool.run(request("return { n: inputs.n, sum: inputs.items.reduce((a, b) => a + b, 0) };", { n, items: [n, n, 1] })));
    const results = await Promise.all(jobs);
    expect(results.map((r) => r.result)).toEqual(Array.from({ length: 32 }, (_, n) => ({ n, sum: 2 * n + 1 })));
    expect(pool.forks()).toBe(2);
  });

  it("forks no process during a burst of 100 jobs", async () => {
    const pool = await realPool({ processes: 2, jobsPerProcess: 8 });
    const pids = pool.stats().pids;
    const results = await Promise.all(Array.from({ length: 100 }, (_, n) => pool.run(request("return { n: inputs.n * 2 };", { n }))));
    expect(results.map((r) => r.result.n)).toEqual(Array.from({ length: 100 }, (_, n) => n * 2));
    expect(pool.forks()).toBe(2);
    expect(pool.stats().pids).toEqual(pids);
  });

  it("a job never sees another job's globals or prototypes, at once or one after another, within a workspace or across", async () => {
    const pool = await realPool({ processes: 1, jobsPerProcess: 8 });
    const polluter = "globalThis.leak = inputs.n; Object.prototype.polluted = inputs.n; Array.prototype.map = null; JSON.parse = null;\nreturn { n: inputs.n };";
    const reader = "return { leak: typeof leak, polluted: typeof ({}).polluted, map: typeof [].map, parse: typeof JSON.parse };";
    const clean = { leak: "undefined", polluted: "undefined", map: "function", parse: "function" };
    // No workspace (an isolate per job), one workspace (isolates reused in fresh contexts), two workspaces.
    const runners = [pool.run, pool.forWorkspace("w1"), pool.forWorkspace("w1"), pool.forWorkspace("w2")];
    for (let round = 0; round < 3; round++) {
      const mixed = await Promise.all(Array.from({ length: 16 }, (_, n) => runners[n % 4]!(request(n % 3 ? reader : polluter, { n }))));
      mixed.forEach((r, n) => expect(r.result).toEqual(n % 3 ? clean : { n }));
    }
    for (const runner of runners) expect((await runner(request(reader))).result).toEqual(clean);
  });

  it("one slot, one workspace: each job reuses the isolate in a fresh context, and a job past a limit leaves the next jobs a sound one", async () => {
    const pool = await realPool({ processes: 1, jobsPerProcess: 1, warmIsolates: 0 });
    const w1 = pool.forWorkspace("w1");
    const reader = "const seen = typeof leak; globalThis.leak = 1;\nreturn { seen };";
    for (let i = 0; i < 5; i++) expect((await w1(request(reader))).result).toEqual({ seen: "undefined" });
    await expect(w1(request("while (true) {}", {}, { timeoutMs: 100 }))).rejects.toMatchObject({ code: "code_limit", message: "The code ran longer than its time limit of 100 ms." });
    expect((await w1(request(reader))).result).toEqual({ seen: "undefined" });
    await expect(w1(request("const a = []; while (true) a.push(new Array(100000).fill(1));", {}, { memoryMb: 32, timeoutMs: 10_000 }))).rejects.toMatchObject({
      code: "code_limit",
      message: "The code used more than the memory limit of 32 MB.",
    });
    // A job that keeps a large heap alive and ends cleanly: the next job in that isolate still has its full limit.
    expect((await w1(request("globalThis.keep = new Array(2e6).fill(1.5);\nreturn { n: keep.length };"))).result).toEqual({ n: 2e6 });
    expect((await w1(request("const b = new Array(2e6).fill(2.5);\nreturn { n: b.length, seen: typeof keep };"))).result).toEqual({ n: 2e6, seen: "undefined" });
    expect(pool.forks()).toBe(1);
  });

  it("a job past its time or memory limit fails alone: the jobs running beside it in the same process succeed", async () => {
    const pool = await realPool({ processes: 1, jobsPerProcess: 8 });
    const [pid] = pool.stats().pids;
    const w1 = pool.forWorkspace("w1");
    const neighbours = Array.from({ length: 5 }, (_, n) => settle(w1(request(BUSY, { n, ms: 300 }))));
    const spin = settle(w1(request("while (true) {}", {}, { timeoutMs: 200 })));
    const bomb = settle(w1(request("const a = []; while (true) a.push(new Array(100000).fill(Math.random()));", {}, { timeoutMs: 10_000, memoryMb: 16 })));
    expect(await spin).toMatchObject({ code: "code_limit", message: "The code ran longer than its time limit of 200 ms." });
    expect(await bomb).toMatchObject({ code: "code_limit", message: "The code used more than the memory limit of 16 MB." });
    expect(await Promise.all(neighbours)).toEqual(Array.from({ length: 5 }, (_, n) => ({ n })));
    expect(pool.forks()).toBe(1);
    expect(pool.stats().pids).toEqual([pid]);
    expect((await pool.run(request("return { ok: 1 };"))).result).toEqual({ ok: 1 });
  });

  it("a job alone in its process first tries on the child's own thread; one that needs longer, throws or awaits forever runs again the usual way, with the same answer and its logs once", async () => {
    const pool = await realPool({ processes: 1, jobsPerProcess: 4 });
    const runner = pool.forWorkspace("w1");
    const slow = "console.log('start', inputs.n); const end = Date.now() + 30; while (Date.now() < end) {}\nconsole.log('end');\nreturn { n: inputs.n };";
    // Past the synchronous slice (a few ms) the first time; the same code later goes the usual way at once.
    for (const n of [1, 2]) expect(await runner(request(slow, { n }))).toMatchObject({ result: { n }, logs: [`start ${n}`, "end"] });
    // Fast code: answered by the first attempt, logs included.
    expect(await runner(request("console.log('hi'); let s = 0; for (const x of inputs.xs) s += await Promise.resolve(x);\nreturn { s };", { xs: [1, 2, 3] }))).toMatchObject({ result: { s: 6 }, logs: ["hi"] });
    // One at a time, so each is alone in the process and goes through the first attempt, then the usual way.
    const failures: unknown[] = [];
    for (const failing of [
      request("console.log('x'); throw new TypeError('bad ' + inputs.n);", { n: 3 }),
      request("return {a: }"),
      request("return 5"),
      request("await new Promise(() => {});\nreturn {};", {}, { timeoutMs: 300 }),
      request("const a = []; for (;;) a.push(new Array(1e5).fill(1));", {}, { memoryMb: 16 }),
    ])
      failures.push(await settle(runner(failing)));
    expect(failures.map((f) => (f as NodeError).message)).toEqual([
      "The code threw on line 1: TypeError: bad 3",
      "Syntax error on line 1: Unexpected token '}'",
      "The code must return an object such as { answer: 42 }, not number.",
      "The code ran longer than its time limit of 300 ms.",
      "The code used more than the memory limit of 16 MB.",
    ]);
    expect((await runner(request("return { fine: true };"))).result).toEqual({ fine: true });
  });

  it("cancel stops only the cancelled job; its slot frees and the process keeps serving", async () => {
    const pool = await realPool({ processes: 1, jobsPerProcess: 4 });
    const [pid] = pool.stats().pids;
    const controller = new AbortController();
    const neighbours = Array.from({ length: 3 }, (_, n) => settle(pool.run(request(BUSY, { n, ms: 400 }))));
    const spinning = settle(pool.run(request("while (true) {}", {}, { timeoutMs: 20_000, signal: controller.signal })));
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    expect(await spinning).toMatchObject({ code: "cancelled" });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await Promise.all(neighbours)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    // The child disposed of the cancelled job's isolate and answered it, which frees the slot.
    await waitFor(() => pool.stats().running === 0, 3_000);
    expect(pool.stats().pids).toEqual([pid]);
    expect(pool.forks()).toBe(1);
    expect((await pool.run(request("return { ok: 1 };"))).result).toEqual({ ok: 1 });
  });

  it("a killed sandbox process fails only its own jobs with a clear error, is replaced in the background, and later jobs succeed", async () => {
    const pool = await realPool({ processes: 2, jobsPerProcess: 4 });
    const [victim, survivor] = pool.stats().pids as [number, number];
    // Least loaded first: the jobs alternate between the two processes.
    const jobs = Array.from({ length: 4 }, (_, n) => settle(pool.run(request(BUSY, { n, ms: 600 }))));
    setTimeout(() => process.kill(victim, "SIGKILL"), 150);
    const results = await Promise.all(jobs);
    const failed = results.filter((r) => r instanceof NodeError);
    expect(failed).toHaveLength(2);
    for (const error of failed) expect(error).toMatchObject({ code: "code_limit", message: expect.stringMatching(/sandbox process stopped unexpectedly \(SIGKILL\)/) });
    expect(results.filter((r) => !(r instanceof NodeError))).toHaveLength(2);
    await waitFor(() => pool.stats().serving === 2);
    expect(pool.forks()).toBe(3);
    expect(pool.stats().pids).toContain(survivor);
    expect(pool.stats().pids).not.toContain(victim);
    const later = await Promise.all(Array.from({ length: 8 }, (_, n) => pool.run(request("return { n: inputs.n };", { n }))));
    expect(later.map((r) => r.result.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
