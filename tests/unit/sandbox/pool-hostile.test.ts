import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { CodeRequest } from "@/lib/engine/ports";
import { createSandboxPool } from "@/lib/sandbox/pool";
import { parseReplyLine } from "@/lib/sandbox/protocol";

/**
 * The sandbox pool against a child that misbehaves on purpose (tests/fixtures/sandbox-hostile-child.mjs):
 * whatever comes back, only that job fails, with a NodeError, and the next job succeeds. This test
 * process plays the worker: an uncaught exception or unhandled rejection here fails the run.
 */
const childPath = fileURLToPath(new URL("../../fixtures/sandbox-hostile-child.mjs", import.meta.url));
const pool = createSandboxPool({ idle: 1, childPath });
afterAll(() => pool.close());

const job = (code: string, extra: Partial<CodeRequest> = {}) =>
  pool.run({ code, inputs: {}, timeoutMs: 100, memoryMb: 16, maxOutputBytes: 10_000, signal: new AbortController().signal, ...extra });

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

  it("runs jobs at once on separate children, each result to its own caller", async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => job("ok")));
    expect(new Set(results.map((r) => r.result.pid)).size).toBe(6);
  });
});

describe("parseReplyLine", () => {
  const accepted = { id: 7, maxOutputBytes: 100 };

  it("accepts a success reply and parses its result", () => {
    const line = JSON.stringify({ id: 7, ok: true, json: '{"a":[1,{"b":null}]}', logs: ["hi"], durationMs: 3 });
    expect(parseReplyLine(line, accepted)).toEqual({ ok: true, value: { id: 7, ok: true, result: { a: [1, { b: null }] }, logs: ["hi"], durationMs: 3 } });
  });

  it("accepts a failure reply as the child reported it", () => {
    const line = JSON.stringify({ id: 7, ok: false, kind: "thrown", message: "boom", line: 2, logs: [], durationMs: 1 });
    expect(parseReplyLine(line, accepted)).toEqual({ ok: true, value: { id: 7, ok: false, kind: "thrown", message: "boom", line: 2, logs: [], durationMs: 1 } });
  });

  it("marks a reply to another job as such, so the current job can still be answered", () => {
    const line = JSON.stringify({ id: 6, ok: true, json: "{}", logs: [], durationMs: 1 });
    expect(parseReplyLine(line, accepted)).toEqual({ ok: false, problem: "it answers job 6, not job 7", otherJob: true });
  });

  it("counts the result's size in UTF-8 bytes", () => {
    const line = JSON.stringify({ id: 7, ok: true, json: JSON.stringify({ s: "é".repeat(60) }), logs: [], durationMs: 1 });
    expect(parseReplyLine(line, accepted)).toEqual({ ok: false, problem: "its result is larger than 100 bytes" });
  });
});
