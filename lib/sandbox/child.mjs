// @ts-check
// Plain JavaScript on purpose: the pool starts it with bare `node` (no TypeScript loader), which
// keeps a cold start near 0.3 s instead of 2 s. The message shapes are in protocol.ts.
import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import { createIsolateStock } from "./child-isolates.mjs";

/** @typedef {import("./protocol").SandboxJob} SandboxJob */
/** @typedef {import("./protocol").SandboxReply} SandboxReply */
/** @typedef {import("./protocol").SandboxFailureKind} SandboxFailureKind */
/** @typedef {{ kind: SandboxFailureKind, message: string, line?: number }} Failure */
/** @typedef {import("./child-isolates.mjs").Prepared} Prepared */

/**
 * A long-lived sandbox process: runs many jobs at once, each in an isolated-vm isolate that runs
 * nothing else meanwhile (its own heap with a memory limit, a time limit, no `require`, `process`,
 * network, file system or environment: an isolate has only the JavaScript built-ins). isolated-vm runs each isolate on a
 * thread of its own. A job alone in this process first runs here, on this thread, for at most
 * SYNC_SLICE_MS (attemptSync: most jobs end within it, without the hops to the isolate's thread);
 * code that needs longer, and every job that has company, runs on the isolate's own thread through
 * asynchronous calls (child-isolates.mjs says why preparing a context is synchronous too).
 * Jobs (and cancellations) come in as one JSON document per line on stdin, replies go out the same
 * way on stdout, each naming its job (protocol.ts). The parent validates every reply and kills this
 * process if it stops answering, so nothing here has to be trusted.
 *
 * Each job gets a fresh context (its own globals and built-ins) in an isolate that runs nothing else
 * meanwhile and never served another workspace (child-isolates.mjs). A job that hits its memory or
 * time limit, or is cancelled, breaks only its own isolate, which is then disposed of.
 */

/** Brand-new isolates kept prepared, their memory limit, and used isolates kept for their workspace (argv from process.ts). */
const WARM_ISOLATES = Math.max(0, Number(process.argv[2] ?? 2) || 0);
const DEFAULT_MEMORY_MB = Math.max(8, Number(process.argv[3] ?? 64) || 64);
const IDLE_ISOLATES = Math.max(0, Number(process.argv[4] ?? 16) || 0);
/** SANDBOX_LIMITS.childDeadlineGraceMs and maxMessageChars (limits.ts; no TypeScript loader here). */
const DEADLINE_GRACE_MS = 1_000;
const MAX_MESSAGE_CHARS = 10_000;
const FILENAME = "code.js";
/** Code that defines main itself; otherwise the code is a function body. */
const DEFINES_MAIN = /(^|[\s;])(async\s+)?function\s+main\s*\(|(^|[\s;])(const|let|var)\s+main\s*=/;

/** @param {Error} error @returns {number | undefined} */
function lineOf(error) {
  const text = `${error.message}\n${error.stack ?? ""}`;
  const match = new RegExp(`${FILENAME.replace(".", "\\.")}:(\\d+)`).exec(text);
  return match ? Number(match[1]) : undefined;
}

const isolates = createIsolateStock({ warm: WARM_ISOLATES, idle: IDLE_ISOLATES, defaultMemoryMb: DEFAULT_MEMORY_MB });

/**
 * What went wrong, for the parent: a stop we asked for, limits, result problems, or what the code threw.
 * @param {unknown} error @param {Running} running @param {SandboxJob} job @returns {Failure}
 */
function classify(error, running, job) {
  const e = error instanceof Error ? error : new Error(String(error));
  if (running.stopped === "cancelled") return { kind: "cancelled", message: "The run was cancelled." };
  if (running.stopped === "timeout") return { kind: "timeout", message: `The code ran longer than its time limit of ${job.timeoutMs} ms.` };
  if (running.prepared?.isolate.isDisposed || /memory limit/i.test(e.message)) {
    return { kind: "memory", message: `The code used more than the memory limit of ${Math.max(job.memoryMb, 8)} MB.` };
  }
  if (/Script execution timed out/.test(e.message)) return { kind: "timeout", message: `The code ran longer than its time limit of ${job.timeoutMs} ms.` };
  if (e.message.startsWith("WEFT_RESULT:") || e.message.startsWith("WEFT_JSON:")) {
    return { kind: "result", message: e.message.replace(/^WEFT_(RESULT|JSON):/, "") };
  }
  const line = lineOf(e);
  const name = e.name && e.name !== "Error" ? `${e.name}: ` : "";
  return { kind: "thrown", message: `The code threw${line ? ` on line ${line}` : ""}: ${name}${e.message}`, line };
}

/**
 * A job between its arrival and its reply. `stopped` says why we disposed of its isolate ourselves.
 * @typedef {{ prepared?: Prepared, stopped?: "cancelled" | "timeout" }} Running
 */
const running = /** @type {Map<number, Running>} */ (new Map());

/** Disposes of one job's isolate (cancelled, or past its deadline); its pending call then fails. @param {number} id @param {"cancelled" | "timeout"} why */
function stop(id, why) {
  const job = running.get(id);
  if (!job || job.stopped) return;
  job.stopped = why;
  if (job.prepared && !job.prepared.isolate.isDisposed) job.prepared.isolate.dispose();
}

/** A compile error as isolated-vm reports it: a SyntaxError whose message ends with the place in code.js. */
const COMPILE_ERROR = new RegExp(`\\s*\\[${FILENAME.replace(".", "\\.")}:\\d+:\\d+\\]$`);

/**
 * The job's code as a script that defines main, the line offset that keeps its line numbers, and
 * its inputs as JSON text. @param {SandboxJob} job
 */
function scriptOf(job) {
  const definesMain = DEFINES_MAIN.test(job.code);
  return {
    source: definesMain ? job.code : `async function main(inputs) {\n${job.code}\n}`,
    lineOffset: definesMain ? 0 : -1,
    inputsJson: JSON.stringify(job.inputs),
  };
}

/** @param {string} json @param {SandboxJob} job @returns {string | Failure} */
function withinOutputLimit(json, job) {
  const bytes = Buffer.byteLength(json);
  if (bytes > job.maxOutputBytes) return { kind: "output", message: `The returned object is ${bytes} bytes as JSON; the limit is ${job.maxOutputBytes}.` };
  return json;
}

/**
 * Runs the user's code in a prepared isolate the asynchronous way and returns the result as JSON
 * text. Two calls into the isolate (each a hop to its thread): one compiles and runs the script
 * that defines main, one runs main through the runner. The time limit covers both.
 * @param {Prepared} prepared @param {SandboxJob} job @param {ReturnType<typeof scriptOf>} script @param {number} timeoutMs
 * @returns {Promise<string | Failure>}
 */
async function execute(prepared, job, { source, lineOffset, inputsJson }, timeoutMs) {
  const { isolate, context, runner } = prepared;
  const started = Date.now();
  try {
    await context.eval(source, { filename: FILENAME, lineOffset, timeout: timeoutMs });
  } catch (error) {
    const e = /** @type {Error} */ (error);
    if (isolate.isDisposed || e?.name !== "SyntaxError" || !COMPILE_ERROR.test(e.message)) throw error;
    const line = lineOf(e);
    return { kind: "syntax", message: `Syntax error${line ? ` on line ${line}` : ""}: ${e.message.replace(COMPILE_ERROR, "")}`, line };
  }
  const left = Math.max(1, timeoutMs - (Date.now() - started));
  const json = await runner.apply(undefined, [inputsJson], { timeout: left, result: { promise: true, copy: true } });
  if (typeof json !== "string") return { kind: "result", message: "The code must return an object such as { answer: 42 }." };
  return withinOutputLimit(json, job);
}

/**
 * A job's first attempt, on this thread: the same script and runner, through synchronous calls
 * that stop after SYNC_SLICE_MS. Most Code jobs finish well within it, and then pay none of the
 * asynchronous way's hops to the isolate's thread and back (lib/sandbox/ARCHITECTURE.md has the
 * figures). Returns the JSON text, or undefined when the attempt did not produce one (it threw, ran
 * out of its slice, or awaits something that had not settled when the call returned): the job
 * then runs again the asynchronous way, whose answer (an error, a timeout) is the one the user
 * sees. The code has no way out of its isolate, so a second run from the start changes nothing
 * but the time. `timedOut` tells the caller the isolate was stopped mid-run.
 * @param {Prepared} prepared @param {ReturnType<typeof scriptOf>} script @param {number} sliceMs
 * @returns {{ json?: string, timedOut: boolean }}
 */
function attemptSync({ context, start, take }, { source, lineOffset, inputsJson }, sliceMs) {
  const until = performance.now() + sliceMs;
  const timeout = () => Math.max(1, Math.ceil(until - performance.now()));
  try {
    context.evalSync(source, { filename: FILENAME, lineOffset, timeout: timeout() });
    start.applySync(undefined, [inputsJson], { timeout: timeout() });
    const json = take.applySync(undefined, [], { timeout: timeout() });
    return { json: typeof json === "string" ? json : undefined, timedOut: false };
  } catch (error) {
    return { timedOut: /Script execution timed out/.test(/** @type {Error} */ (error)?.message ?? "") };
  }
}

/** How long a job's synchronous attempt may hold this thread, which other jobs' messages wait for. */
const SYNC_SLICE_MS = 4;
/** Code whose synchronous attempt did not succeed runs the asynchronous way at once: the most recent ASYNC_ONLY_MAX, by hash of workspace and code. */
const asyncOnly = /** @type {Set<string>} */ (new Set());
const ASYNC_ONLY_MAX = 256;
/** @param {string} code */
const codeHash = (code) => createHash("sha1").update(code).digest("base64");
/** @param {string} hash */
function rememberAsyncOnly(hash) {
  asyncOnly.add(hash);
  if (asyncOnly.size > ASYNC_ONLY_MAX) asyncOnly.delete(/** @type {string} */ (asyncOnly.values().next().value));
}

/** Never rejects: every outcome is a reply. @param {SandboxJob} job @returns {Promise<SandboxReply>} */
async function runJob(job) {
  const started = process.hrtime.bigint();
  const elapsed = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  /** @type {Running} */
  const state = {};
  running.set(job.id, state);
  // Our own wall-clock deadline: the isolate's timeout does not cover compiling or a stuck thread.
  const deadline = setTimeout(() => stop(job.id, "timeout"), job.timeoutMs + DEADLINE_GRACE_MS);
  /** @type {string[]} */
  const logs = [];
  /** @param {Failure} failure @returns {SandboxReply} */
  const fail = ({ kind, message, line }) => ({
    id: job.id,
    ok: false,
    kind,
    // The parent refuses longer messages; a user's `throw new Error(hugeString)` is cut here instead.
    message: message.slice(0, MAX_MESSAGE_CHARS),
    ...(line === undefined ? {} : { line }),
    logs,
    durationMs: elapsed(),
  });
  /** @param {string | Failure} outcome @returns {SandboxReply} */
  const answer = (outcome) => (typeof outcome === "string" ? { id: job.id, ok: true, json: outcome, logs, durationMs: elapsed() } : fail(outcome));
  /** Sends the prepared context's console output to this job's logs. @param {Prepared} prepared */
  const logInto = (prepared) => Object.assign(prepared.sink, { logs, chars: 0, maxLines: job.maxLogLines, maxChars: job.maxLogChars });
  // The code's own failures (a throw, a bad result) leave its isolate sound; limits, cancellation and surprises do not.
  let clean = false;
  try {
    const memoryMb = Math.max(job.memoryMb, 8);
    const script = scriptOf(job);
    state.prepared = await isolates.acquire(job.scope, memoryMb);
    // Cancelled while its isolate was being prepared.
    if (state.stopped) state.prepared.isolate.dispose();
    logInto(state.prepared);
    let timeoutMs = job.timeoutMs;
    // Only a job alone in this process tries first on its thread: a built-in call that does not check for
    // interrupts (a join of millions of elements) holds the thread until it returns, and no other job waits behind it.
    // Per workspace: whether a workspace's code ran long tells nothing about another's.
    const hash = running.size === 1 && !state.stopped ? codeHash(`${job.scope ?? ""}\n${job.code}`) : undefined;
    if (hash && !asyncOnly.has(hash)) {
      const attempt = attemptSync(state.prepared, script, Math.min(SYNC_SLICE_MS, job.timeoutMs));
      if (attempt.json !== undefined) {
        clean = true;
        return answer(withinOutputLimit(attempt.json, job));
      }
      rememberAsyncOnly(hash);
      // Over its memory limit: the isolate is gone, and the answer is the same as the asynchronous way's.
      if (state.prepared.isolate.isDisposed) throw new Error("memory limit");
      // A fresh context for the second run, in the same isolate unless it was stopped mid-run.
      isolates.release(state.prepared, !attempt.timedOut);
      state.prepared = undefined;
      logs.length = 0;
      timeoutMs = Math.max(1, job.timeoutMs - elapsed());
      state.prepared = await isolates.acquire(job.scope, memoryMb);
      logInto(state.prepared);
    }
    const outcome = await execute(state.prepared, job, script, timeoutMs);
    clean = typeof outcome === "string" || outcome.kind !== "timeout";
    return answer(outcome);
  } catch (error) {
    const failure = classify(error, state, job);
    clean = failure.kind === "thrown" || failure.kind === "result";
    return fail(failure);
  } finally {
    clearTimeout(deadline);
    running.delete(job.id);
    if (state.prepared) isolates.release(state.prepared, clean && !state.stopped);
  }
}

/** One JSON document per line on stdout; stdout carries nothing else. @param {unknown} message */
function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Only the parent writes here, one document per line: a job, or `{ cancel: id }`. @param {string} line */
function onMessage(line) {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return;
  }
  if (typeof message?.cancel === "number") return stop(message.cancel, "cancelled");
  void runJob(/** @type {SandboxJob} */ (message)).then((reply) => {
    send(reply);
    // Creating isolates holds this thread: only while no job waits on it.
    if (running.size === 0) isolates.refill();
  });
}

createInterface({ input: process.stdin, crlfDelay: Infinity }).on("line", onMessage);
// The parent went away (crashed or exited): nothing left to do here.
process.stdin.on("end", () => process.exit(0));
isolates.refill();
send({ ready: true });
