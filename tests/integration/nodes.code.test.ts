import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { CodeRequest } from "@/lib/engine/ports";
import { startRun } from "@/lib/runs/service";
import { createSandboxPool } from "@/lib/sandbox/pool";
import { createWorkflow } from "@/lib/workflows/service";
import { createTestMember } from "./helpers/members";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess } from "./helpers/worker-process";

/** The real sandbox: isolated-vm in long-lived child processes, with its limits. */
const pool = createSandboxPool({ processes: 1 });
afterAll(() => pool.close());

const run = (code: string, inputs: Record<string, unknown> = {}, extra: Partial<CodeRequest> = {}) =>
  pool.run({ code, inputs, timeoutMs: 1_000, memoryMb: 32, maxOutputBytes: 100_000, signal: new AbortController().signal, ...extra });

describe("code sandbox", () => {
  it("runs function main(inputs) and a bare function body, JSON in and out, with console.log captured", async () => {
    const a = await run("function main(inputs) {\n  console.log('got', inputs.n, { x: 1 });\n  return { doubled: inputs.n * 2, list: inputs.list.map((s) => s.toUpperCase()) };\n}", {
      n: 21,
      list: ["a", "b"],
    });
    expect(a.result).toEqual({ doubled: 42, list: ["A", "B"] });
    expect(a.logs).toEqual(['got 21 {"x":1}']);
    const b = await run("const words = inputs.text.split(' ');\nreturn { count: words.length };", { text: "one two three" });
    expect(b.result).toEqual({ count: 3 });
    const c = await run("async function main(inputs) { await null; return { ok: true } }");
    expect(c.result).toEqual({ ok: true });
  });

  it("kills while(true){} at the time limit", async () => {
    const started = Date.now();
    await expect(run("while (true) {}", {}, { timeoutMs: 300 })).rejects.toMatchObject({
      code: "code_limit",
      message: "The code ran longer than its time limit of 300 ms.",
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    // The pool still works afterwards.
    expect((await run("return { ok: 1 }")).result).toEqual({ ok: 1 });
  });

  it("stops a memory bomb at the memory limit", async () => {
    await expect(run("const a = []; while (true) a.push(new Array(100000).fill(Math.random()));", {}, { timeoutMs: 10_000, memoryMb: 16 })).rejects.toMatchObject({
      code: "code_limit",
      message: expect.stringMatching(/memory/),
    });
  });

  it("has no process, require, fetch, WebAssembly, garbage collector, or module loading", async () => {
    const { result } = await run(
      "return { process: typeof process, require: typeof require, fetch: typeof fetch, xhr: typeof XMLHttpRequest, buffer: typeof Buffer, setTimeout: typeof setTimeout, wasm: typeof WebAssembly, gc: typeof gc };",
    );
    // gc: the child runs with --expose-gc to collect idle isolates; the global is emptied before user code exists.
    expect(result).toEqual({ process: "undefined", require: "undefined", fetch: "undefined", xhr: "undefined", buffer: "undefined", setTimeout: "undefined", wasm: "undefined", gc: "undefined" });
    // The console's log callback is handed to each context as a global and deleted before user code exists.
    const { result: globals } = await run("return { names: Object.getOwnPropertyNames(globalThis).filter((n) => n.includes('weft') || n.startsWith('$')) };");
    expect(globals).toEqual({ names: [] });
    await expect(run("return { x: require('fs') };")).rejects.toMatchObject({ code: "code_error", message: expect.stringMatching(/require is not defined/) });
    await expect(run("return { env: process.env };")).rejects.toMatchObject({ code: "code_error", message: expect.stringMatching(/process is not defined/) });
    await expect(run("import('fs'); return {};")).rejects.toMatchObject({ code: "code_error" });
  });

  it("reports syntax errors and thrown errors with line numbers", async () => {
    await expect(run("const a = 1;\nconst b = ;\nreturn { a };")).rejects.toMatchObject({
      code: "code_error",
      message: "Syntax error on line 2: Unexpected token ';'",
    });
    await expect(run("function main(inputs) {\n  const x = 1;\n  throw new TypeError('bad input ' + x);\n}")).rejects.toMatchObject({
      code: "code_error",
      message: "The code threw on line 3: TypeError: bad input 1",
    });
  });

  it("refuses results that are not JSON objects or too large", async () => {
    await expect(run("return [1, 2];")).rejects.toMatchObject({ code: "code_error", message: expect.stringMatching(/must return an object.*not an array/) });
    await expect(run("return { f: () => 1 };")).rejects.toMatchObject({ code: "code_error", message: expect.stringMatching(/cannot be turned into JSON.*"f" is a function/) });
    await expect(run("return { n: 10n };")).rejects.toMatchObject({ code: "code_error", message: expect.stringMatching(/BigInt/) });
    await expect(run("const o = {}; o.self = o; return o;")).rejects.toMatchObject({ code: "code_error", message: expect.stringMatching(/cannot be turned into JSON/) });
    await expect(run("return { s: 'x'.repeat(200000) };")).rejects.toMatchObject({ code: "code_limit", message: expect.stringMatching(/limit is 100000/) });
  });

  it("user code that replaces JSON.stringify, JSON.parse or Array.isArray cannot break the reply", async () => {
    const replaced = await run("JSON.stringify = () => 'not json {';\nJSON.parse = () => ({ forged: true });\nArray.isArray = () => true;\nreturn { n: inputs.n + 1, list: [1, 2] };", { n: 1 });
    expect(replaced.result).toEqual({ n: 2, list: [1, 2] });
    expect((await run("return { ok: 1 }")).result).toEqual({ ok: 1 });
  });

  it("a result whose inherited toJSON turns it into a non-object fails only its job", async () => {
    await expect(run("Object.defineProperty(Object.prototype, 'toJSON', { value: () => 'not an object' });\nreturn { a: 1 };")).rejects.toMatchObject({
      code: "code_error",
      message: expect.stringMatching(/The code sandbox sent a reply that cannot be used \(its result is not a JSON object\)/),
    });
    expect((await run("return { ok: 2 }")).result).toEqual({ ok: 2 });
  });

  it("cuts a huge thrown message to the reply's limit instead of breaking the reply", async () => {
    const error = (await run("throw new Error('x'.repeat(200000));").catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: "code_error", message: expect.stringMatching(/^The code threw on line 1: x+$/) });
    expect(error.message.length).toBeLessThanOrEqual(10_000);
    expect((await run("return { ok: 3 }")).result).toEqual({ ok: 3 });
  });

  it("a cancelled run stops its job at once", async () => {
    const controller = new AbortController();
    const pending = run("while (true) {}", {}, { timeoutMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toMatchObject({ code: "cancelled" });
  });
});

/** Pids of the processes whose parent is `pid` (from /proc; the name of a process cannot hold ") "). */
function childPids(pid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(") ") + 2).split(" ")[1]);
      if (parent === pid) pids.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return pids.sort((a, b) => a - b);
}

const codeWorkflow = (code: string) => ({
  version: 1 as const,
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
    { id: "code", type: "code", position: { x: 300, y: 0 }, data: { inputs: [], code, outputs: [{ name: "n", type: "number" as const }] } },
    { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "n", value: "{{ code.n }}" }] } },
  ],
  edges: [
    { id: "e1", source: "start", target: "code" },
    { id: "e2", source: "code", target: "end" },
  ],
});

describe("Code node through the queue and a real worker", () => {
  it("runs the code with resolved inputs and publishes the declared outputs", async () => {
    const worker = await startWorkerProcess();
    try {
      const member = await createTestMember();
      const graph = {
        version: 1 as const,
        nodes: [
          { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "csv", label: "", type: "string", required: true, description: "" }] } },
          {
            id: "parse",
            type: "code",
            position: { x: 300, y: 0 },
            data: {
              inputs: [{ name: "csv", value: "{{ start.csv }}" }],
              code: "function main({ csv }) {\n  const values = csv.split(',').map(Number);\n  return { sum: values.reduce((a, b) => a + b, 0), count: values.length };\n}",
              outputs: [
                { name: "sum", type: "number" },
                { name: "count", type: "number" },
              ],
            },
          },
          { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "mean", value: "{{ parse.sum | divided_by: parse.count }}" }] } },
        ],
        edges: [
          { id: "e1", source: "start", target: "parse" },
          { id: "e2", source: "parse", target: "end" },
        ],
      };
      const workflow = await createWorkflow(member, { name: "code", graph });
      const { runId } = await startRun(member, workflow.id, { inputs: { csv: "2,4,9" } });
      const run = await waitForRun(runId);
      expect(run.status).toBe("succeeded");
      expect(run.output).toEqual({ mean: "5" });
      expect(run.steps.find((s) => s.nodeId === "parse")!.output).toEqual({ sum: 15, count: 3 });
    } finally {
      await worker.stop();
      await db().$disconnect();
    }
  });

  it("the worker starts its sandbox processes at boot, and a burst of Code runs forks none", async () => {
    const worker = await startWorkerProcess({ WEFT_SANDBOX_PROCESSES: "2" });
    try {
      const pid = worker.child.pid!;
      const member = await createTestMember();
      const workflow = await createWorkflow(member, { name: "burst", graph: codeWorkflow("return { n: inputs.n ?? 42 };") });
      const before = childPids(pid);
      expect(before).toHaveLength(2);
      // Sample the worker's children all through the burst: a process forked for a job would show up.
      const seen = new Set(before);
      const sampler = setInterval(() => childPids(pid).forEach((child) => seen.add(child)), 5);
      const runIds = await Promise.all(Array.from({ length: 30 }, async () => (await startRun(member, workflow.id, { inputs: {} })).runId));
      const runs = await Promise.all(runIds.map((id) => waitForRun(id)));
      clearInterval(sampler);
      expect(runs.map((run) => run.status)).toEqual(runs.map(() => "succeeded"));
      expect([...seen].sort((a, b) => a - b)).toEqual(before);
      expect(childPids(pid)).toEqual(before);
    } finally {
      await worker.stop();
      await db().$disconnect();
    }
  });

  it("a Code node that replaces JSON.stringify or breaks its reply cannot crash the worker: the next runs succeed on the same process", async () => {
    const worker = await startWorkerProcess();
    try {
      const member = await createTestMember();
      const pid = worker.child.pid;
      const stringify = await createWorkflow(member, { name: "stringify", graph: codeWorkflow("JSON.stringify = () => 'not json {';\nreturn { n: 1 };") });
      const toJson = await createWorkflow(member, {
        name: "toJSON",
        graph: codeWorkflow("Object.defineProperty(Object.prototype, 'toJSON', { value: () => 'not an object' });\nreturn { n: 1 };"),
      });
      const plain = await createWorkflow(member, { name: "plain", graph: codeWorkflow("return { n: 41 + 1 };") });

      // Before the fix, the first run's reply could not be parsed and the second Code job crashed the worker (ERR_IPC_CHANNEL_CLOSED).
      const first = await waitForRun((await startRun(member, stringify.id, { inputs: {} })).runId);
      expect(first.status).toBe("succeeded");
      expect(first.output).toEqual({ n: 1 });
      const broken = await waitForRun((await startRun(member, toJson.id, { inputs: {} })).runId);
      expect(broken.status).toBe("failed");
      expect(broken.steps.find((s) => s.nodeId === "code")).toMatchObject({
        status: "failed",
        error: { code: "code_error", message: expect.stringMatching(/its result is not a JSON object/) },
      });
      for (let i = 0; i < 3; i++) {
        const next = await waitForRun((await startRun(member, plain.id, { inputs: {} })).runId);
        expect(next.status).toBe("succeeded");
        expect(next.output).toEqual({ n: 42 });
      }
      expect(worker.child.pid).toBe(pid);
      expect(worker.child.exitCode).toBeNull();
      expect(worker.output()).not.toMatch(/ERR_IPC_CHANNEL_CLOSED/);
    } finally {
      await worker.stop();
      await db().$disconnect();
    }
  });
});
