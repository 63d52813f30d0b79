// @ts-check
// Plain JavaScript on purpose: the pool starts it with bare `node` (no TypeScript loader), which
// keeps a cold start near 0.3 s instead of 2 s. The message shapes are in protocol.ts.
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
 * thread of its own and every call that runs user code is asynchronous, so this event loop only
 * routes messages and prepares contexts (child-isolates.mjs says why that part is synchronous).
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
 * Runs the user's code in a prepared isolate and returns the result as JSON text. Two calls into
 * the isolate (each a hop to its thread): one compiles and runs the script that defines main, one
 * runs main through the runner. The time limit covers both.
 * @param {Prepared} prepared @param {SandboxJob} job @returns {Promise<string | Failure>}
 */
async function execute(prepared, job) {
  const { isolate, context, runner } = prepared;
  const definesMain = DEFINES_MAIN.test(job.code);
  const source = definesMain ? job.code : `async function main(inputs) {\n${job.code}\n}`;
  const started = Date.now();
  try {
    await context.eval(source, { filename: FILENAME, lineOffset: definesMain ? 0 : -1, timeout: job.timeoutMs });
  } catch (error) {
    const e = /** @type {Error} */ (error);
    if (isolate.isDisposed || e?.name !== "SyntaxError" || !COMPILE_ERROR.test(e.message)) throw error;
    const line = lineOf(e);
    return { kind: "syntax", message: `Syntax error${line ? ` on line ${line}` : ""}: ${e.message.replace(COMPILE_ERROR, "")}`, line };
  }
  const left = Math.max(1, job.timeoutMs - (Date.now() - started));
  const json = await runner.apply(undefined, [JSON.stringify(job.inputs)], { timeout: left, result: { promise: true, copy: true } });
  if (typeof json !== "string") return { kind: "result", message: "The code must return an object such as { answer: 42 }." };
  const bytes = Buffer.byteLength(json);
  if (bytes > job.maxOutputBytes) return { kind: "output", message: `The returned object is ${bytes} bytes as JSON; the limit is ${job.maxOutputBytes}.` };
  return json;
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
  // The code's own failures (a throw, a bad result) leave its isolate sound; limits, cancellation and surprises do not.
  let clean = false;
  try {
    state.prepared = await isolates.acquire(job.scope, Math.max(job.memoryMb, 8));
    // Cancelled while its isolate was being prepared.
    if (state.stopped) state.prepared.isolate.dispose();
    Object.assign(state.prepared.sink, { logs, chars: 0, maxLines: job.maxLogLines, maxChars: job.maxLogChars });
    const outcome = await execute(state.prepared, job);
    clean = typeof outcome === "string" || outcome.kind !== "timeout";
    if (typeof outcome !== "string") return fail(outcome);
    return { id: job.id, ok: true, json: outcome, logs, durationMs: elapsed() };
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
