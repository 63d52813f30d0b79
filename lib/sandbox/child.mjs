// @ts-check
// Plain JavaScript on purpose: the pool starts it with bare `node` (no TypeScript loader), which
// keeps a cold start near 0.3 s instead of 2 s. The message shapes are in protocol.ts.
import { createInterface } from "node:readline";
import ivm from "isolated-vm";

/** @typedef {import("./protocol").SandboxJob} SandboxJob */
/** @typedef {import("./protocol").SandboxReply} SandboxReply */
/** @typedef {import("./protocol").SandboxFailureKind} SandboxFailureKind */
/** @typedef {{ kind: SandboxFailureKind, message: string, line?: number }} Failure */

/**
 * A long-lived sandbox process: runs many jobs at once, each in a fresh isolated-vm isolate of its
 * own (its own heap with a memory limit, a time limit, no `require`, `process`, network, file system
 * or environment: an isolate has only the JavaScript built-ins). isolated-vm runs each isolate on a
 * thread of its own and every call here is asynchronous, so this event loop only routes messages.
 * Jobs (and cancellations) come in as one JSON document per line on stdin, replies go out the same
 * way on stdout, each naming its job (protocol.ts). The parent validates every reply and kills this
 * process if it stops answering, so nothing here has to be trusted.
 *
 * An isolate serves exactly one job and is disposed of afterwards, whatever happened: a job that
 * hits its memory or time limit, or is cancelled, breaks only its own isolate. To keep isolate
 * creation (about 2 ms of CPU) off the job path, a few isolates are prepared ahead — context,
 * console and runner in place, no user code run yet — and a job takes one (lib/sandbox/ARCHITECTURE.md).
 */

/** Isolates kept prepared, and the memory limit of the first ones (argv from process.ts). */
const WARM_ISOLATES = Math.max(0, Number(process.argv[2] ?? 4) || 0);
const DEFAULT_MEMORY_MB = Math.max(8, Number(process.argv[3] ?? 64) || 64);
/** SANDBOX_LIMITS.childDeadlineGraceMs and maxMessageChars (limits.ts; no TypeScript loader here). */
const DEADLINE_GRACE_MS = 1_000;
const MAX_MESSAGE_CHARS = 10_000;
const FILENAME = "code.js";
/** Code that defines main itself; otherwise the code is a function body. */
const DEFINES_MAIN = /(^|[\s;])(async\s+)?function\s+main\s*\(|(^|[\s;])(const|let|var)\s+main\s*=/;

/**
 * Evaluated in the isolate before the user's code, it returns the function that later runs
 * main(inputs) and hands back JSON text. It keeps its own references to JSON.stringify, JSON.parse,
 * Array.isArray and Error, taken while they are still the built-ins: user code can replace the
 * globals (`JSON.stringify = () => "not json {"`) but not these captured bindings, and this
 * process holds the function as a Reference, so user code cannot swap the runner either. Whatever a
 * user does with toJSON or getters, the built-in stringify can only produce JSON text (or throw).
 * The other way to get there, copying the result out with `copy: true` and stringifying in this
 * process, would drop toJSON (the structured clone refuses functions) and build the copy outside
 * the isolate's memory limit and CPU budget; stringifying inside keeps both limits in force.
 */
const RUNNER = `(function (stringify, parse, isArray, ErrorCtor) {
  const typeName = (v) => (isArray(v) ? "an array" : v === null ? "null" : typeof v);
  return async function run(inputsJson) {
    if (typeof main !== "function") throw new ErrorCtor("WEFT_RESULT:The code must define function main(inputs) or be a function body that returns an object.");
    const result = await main(parse(inputsJson));
    if (result === null || typeof result !== "object" || isArray(result)) {
      throw new ErrorCtor("WEFT_RESULT:The code must return an object such as { answer: 42 }, not " + typeName(result) + ".");
    }
    try {
      return stringify(result, function (key, value) {
        if (typeof value === "function" || typeof value === "symbol") throw new ErrorCtor("the value of " + (key ? stringify(key) : "the result") + " is a " + typeof value);
        if (typeof value === "bigint") throw new ErrorCtor("the value of " + stringify(key) + " is a BigInt");
        return value;
      });
    } catch (error) {
      throw new ErrorCtor("WEFT_JSON:The returned object cannot be turned into JSON: " + (error && error.message ? error.message : String(error)) + ".");
    }
  };
})(JSON.stringify, JSON.parse, Array.isArray, Error)`;

const CONSOLE = `globalThis.console = (function (log) {
  const text = (args) => args.map((a) => (typeof a === "string" ? a : (function () { try { return JSON.stringify(a); } catch (e) { return String(a); } })())).join(" ");
  const emit = (...args) => { log(text(args)); };
  return { log: emit, info: emit, warn: emit, error: emit, debug: emit };
})(__weft_log);`;

/** @param {Error} error @returns {number | undefined} */
function lineOf(error) {
  const text = `${error.message}\n${error.stack ?? ""}`;
  const match = new RegExp(`${FILENAME.replace(".", "\\.")}:(\\d+)`).exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * One prepared isolate: a context with console and the runner, no user code run yet. `sink` is
 * where console output goes; a job points it at its own log list and limits.
 * @typedef {{ isolate: ivm.Isolate, context: ivm.Context, runner: ivm.Reference<(inputsJson: string) => Promise<string>>, memoryMb: number, sink: { logs: string[], chars: number, maxLines: number, maxChars: number } }} Prepared
 */

/** @param {number} memoryMb @returns {Promise<Prepared>} */
async function prepare(memoryMb) {
  const isolate = new ivm.Isolate({ memoryLimit: memoryMb });
  try {
    /** @type {Prepared["sink"]} */
    const sink = { logs: [], chars: 0, maxLines: 0, maxChars: 0 };
    const context = await isolate.createContext();
    await context.global.set(
      "__weft_log",
      new ivm.Callback((/** @type {unknown} */ line) => {
        if (sink.logs.length >= sink.maxLines || sink.chars >= sink.maxChars) return;
        const text = String(line).slice(0, sink.maxChars - sink.chars);
        sink.chars += text.length;
        sink.logs.push(text);
      }),
    );
    await context.eval(CONSOLE);
    // WebAssembly memory lives outside the isolate's heap limit and compiles native code: user code gets neither.
    await context.eval("delete globalThis.WebAssembly;");
    /** @type {Prepared["runner"]} */
    const runner = await context.eval(RUNNER, { reference: true, filename: "weft-runner.js" });
    return { isolate, context, runner, memoryMb, sink };
  } catch (error) {
    if (!isolate.isDisposed) isolate.dispose();
    throw error;
  }
}

/** Prepared isolates by memory limit (an isolate's limit is fixed when it is created). */
const warm = /** @type {Map<number, Prepared[]>} */ (new Map());
let warmCount = 0;
/** Memory limits recently asked for, most recent last: what the next prepared isolates get. */
const wanted = /** @type {number[]} */ ([]);
let refilling = false;

/** @param {number} memoryMb @returns {Prepared | undefined} */
function takeWarm(memoryMb) {
  const prepared = warm.get(memoryMb)?.pop();
  if (prepared) warmCount--;
  wanted.push(memoryMb);
  if (wanted.length > WARM_ISOLATES) wanted.shift();
  return prepared;
}

/** Makes room for a limit nobody has prepared yet by dropping one isolate of the most stocked limit. */
function evictFor(/** @type {number} */ memoryMb) {
  if (warmCount < WARM_ISOLATES || (warm.get(memoryMb)?.length ?? 0) > 0) return;
  let fullest = /** @type {Prepared[]} */ ([]);
  for (const list of warm.values()) if (list.length > fullest.length) fullest = list;
  const dropped = fullest.pop();
  if (!dropped) return;
  dropped.isolate.dispose();
  warmCount--;
}

/**
 * Prepares isolates one at a time until the stock is full again. Called once a reply is out: creating
 * an isolate holds this thread for about a millisecond, which should not sit between a job and its reply.
 */
function scheduleRefill() {
  if (refilling) return;
  refilling = true;
  setImmediate(async () => {
    try {
      while (true) {
        const memoryMb = wanted.shift() ?? DEFAULT_MEMORY_MB;
        evictFor(memoryMb);
        if (warmCount >= WARM_ISOLATES) break;
        const prepared = await prepare(memoryMb);
        const list = warm.get(memoryMb) ?? [];
        list.push(prepared);
        warm.set(memoryMb, list);
        warmCount++;
      }
    } catch {
      // Out of memory for another isolate: jobs prepare their own until the next refill succeeds.
    } finally {
      refilling = false;
    }
  });
}

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
  try {
    const memoryMb = Math.max(job.memoryMb, 8);
    state.prepared = takeWarm(memoryMb) ?? (await prepare(memoryMb));
    // Cancelled while its isolate was being prepared.
    if (state.stopped) state.prepared.isolate.dispose();
    Object.assign(state.prepared.sink, { logs, chars: 0, maxLines: job.maxLogLines, maxChars: job.maxLogChars });
    const outcome = await execute(state.prepared, job);
    if (typeof outcome !== "string") return fail(outcome);
    return { id: job.id, ok: true, json: outcome, logs, durationMs: elapsed() };
  } catch (error) {
    return fail(classify(error, state, job));
  } finally {
    clearTimeout(deadline);
    running.delete(job.id);
    if (state.prepared && !state.prepared.isolate.isDisposed) state.prepared.isolate.dispose();
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
    scheduleRefill();
  });
}

createInterface({ input: process.stdin, crlfDelay: Infinity }).on("line", onMessage);
// The parent went away (crashed or exited): nothing left to do here.
process.stdin.on("end", () => process.exit(0));
scheduleRefill();
send({ ready: true });
