// @ts-check
// Plain JavaScript on purpose: the pool starts it with bare `node` (no TypeScript loader), which
// keeps a cold start near 0.3 s instead of 2 s. The message shapes are in protocol.ts.
import { createInterface } from "node:readline";
import ivm from "isolated-vm";

/** @typedef {import("./protocol").SandboxJob} SandboxJob */
/** @typedef {import("./protocol").SandboxReply} SandboxReply */

/**
 * A sandbox child process: runs user JavaScript in a fresh isolated-vm isolate per job (its own
 * heap with a memory limit, a CPU-time limit, no `require`, `process`, network, file system or
 * environment: an isolate has only the JavaScript built-ins). Jobs come in as one JSON document per
 * line on stdin, replies go out the same way on stdout (protocol.ts). The parent validates every
 * reply and kills this process outright if a job overruns, so nothing here has to be trusted.
 */

const FILENAME = "code.js";
/** SANDBOX_LIMITS.maxMessageChars (limits.ts; this file runs without a TypeScript loader). */
const MAX_MESSAGE_CHARS = 10_000;
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
 * Prepares a fresh context: console, no WebAssembly, and the runner, taken before user code exists.
 * @param {import("isolated-vm").Isolate} isolate @param {SandboxJob} job @param {string[]} logs
 */
async function prepareContext(isolate, job, logs) {
  let logChars = 0;
  const context = await isolate.createContext();
  await context.global.set(
    "__weft_log",
    new ivm.Callback((/** @type {unknown} */ line) => {
      if (logs.length >= job.maxLogLines || logChars >= job.maxLogChars) return;
      const text = String(line).slice(0, job.maxLogChars - logChars);
      logChars += text.length;
      logs.push(text);
    }),
  );
  await context.eval(CONSOLE);
  // WebAssembly memory lives outside the isolate's heap limit and compiles native code: user code gets neither.
  await context.eval("delete globalThis.WebAssembly;");
  /** @type {import("isolated-vm").Reference<(inputsJson: string) => Promise<string>>} */
  const runner = await context.eval(RUNNER, { reference: true, filename: "weft-runner.js" });
  return { context, runner };
}

/**
 * What went wrong, for the parent: limits, result problems, or what the code threw.
 * @param {unknown} error @param {import("isolated-vm").Isolate} isolate @param {SandboxJob} job
 * @returns {{ kind: import("./protocol").SandboxFailureKind, message: string, line?: number }}
 */
function classify(error, isolate, job) {
  const e = error instanceof Error ? error : new Error(String(error));
  if (isolate.isDisposed || /memory limit/i.test(e.message)) {
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

/** @param {SandboxJob} job @returns {Promise<SandboxReply>} */
async function runJob(job) {
  const started = process.hrtime.bigint();
  const elapsed = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  /** @type {string[]} */
  const logs = [];
  const isolate = new ivm.Isolate({ memoryLimit: Math.max(job.memoryMb, 8) });
  /** @param {{ kind: import("./protocol").SandboxFailureKind, message: string, line?: number }} failure @returns {SandboxReply} */
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
    const { context, runner } = await prepareContext(isolate, job, logs);
    const definesMain = DEFINES_MAIN.test(job.code);
    const source = definesMain ? job.code : `async function main(inputs) {\n${job.code}\n}`;
    let script;
    try {
      script = await isolate.compileScript(source, { filename: FILENAME, lineOffset: definesMain ? 0 : -1 });
    } catch (error) {
      const e = /** @type {Error} */ (error);
      const line = lineOf(e);
      const message = e.message.replace(/\s*\[code\.js:\d+:\d+\]$/, "");
      return fail({ kind: "syntax", message: `Syntax error${line ? ` on line ${line}` : ""}: ${message}`, line });
    }
    // The budget covers defining main and running it.
    await script.run(context, { timeout: job.timeoutMs });
    const json = await runner.apply(undefined, [JSON.stringify(job.inputs)], { timeout: job.timeoutMs, result: { promise: true, copy: true } });
    if (typeof json !== "string") return fail({ kind: "result", message: "The code must return an object such as { answer: 42 }." });
    const bytes = Buffer.byteLength(json);
    if (bytes > job.maxOutputBytes) return fail({ kind: "output", message: `The returned object is ${bytes} bytes as JSON; the limit is ${job.maxOutputBytes}.` });
    return { id: job.id, ok: true, json, logs, durationMs: elapsed() };
  } catch (error) {
    return fail(classify(error, isolate, job));
  } finally {
    if (!isolate.isDisposed) isolate.dispose();
  }
}

/** One JSON document per line on stdout; stdout carries nothing else. @param {unknown} message */
function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

// Jobs arrive one JSON document per line on stdin and run one at a time, in order.
let queue = Promise.resolve();
createInterface({ input: process.stdin, crlfDelay: Infinity }).on("line", (line) => {
  queue = queue.then(() => runJob(/** @type {SandboxJob} */ (JSON.parse(line))).then(send));
});
// The parent went away (crashed or exited): nothing left to do here.
process.stdin.on("end", () => process.exit(0));
send({ ready: true });
