// @ts-check
// Plain JavaScript on purpose: the pool starts it with bare `node` (no TypeScript loader), which
// keeps a cold start near 0.3 s instead of 2 s. The message shapes are in protocol.ts.
import ivm from "isolated-vm";

/** @typedef {import("./protocol").SandboxJob} SandboxJob */
/** @typedef {import("./protocol").SandboxReply} SandboxReply */

/**
 * A sandbox child process: runs user JavaScript in a fresh isolated-vm isolate per job (its own
 * heap with a memory limit, a CPU-time limit, no `require`, `process`, network, file system or
 * environment: an isolate has only the JavaScript built-ins). JSON in and out over IPC. The
 * parent kills this process outright if a job overruns, so nothing here has to be trusted.
 */

const FILENAME = "code.js";
/** Code that defines main itself; otherwise the code is a function body. */
const DEFINES_MAIN = /(^|[\s;])(async\s+)?function\s+main\s*\(|(^|[\s;])(const|let|var)\s+main\s*=/;

/** Runs main(inputs) and hands back JSON text; tagged messages tell the parent what went wrong. */
const RUNNER = `(async function () {
  if (typeof main !== "function") throw new Error("WEFT_RESULT:The code must define function main(inputs) or be a function body that returns an object.");
  const result = await main(JSON.parse(__weft_inputs));
  if (result === null || typeof result !== "object" || Array.isArray(result)) {
    throw new Error("WEFT_RESULT:The code must return an object such as { answer: 42 }, not " + (Array.isArray(result) ? "an array" : result === null ? "null" : typeof result) + ".");
  }
  try {
    return JSON.stringify(result, function (key, value) {
      if (typeof value === "function" || typeof value === "symbol") throw new Error("the value of " + (key ? JSON.stringify(key) : "the result") + " is a " + typeof value);
      if (typeof value === "bigint") throw new Error("the value of " + JSON.stringify(key) + " is a BigInt");
      return value;
    });
  } catch (error) {
    throw new Error("WEFT_JSON:The returned object cannot be turned into JSON: " + (error && error.message ? error.message : String(error)) + ".");
  }
})()`;

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

/** @param {SandboxJob} job @returns {Promise<SandboxReply>} */
async function runJob(job) {
  const started = process.hrtime.bigint();
  const elapsed = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  /** @type {string[]} */
  const logs = [];
  let logChars = 0;
  const memoryMb = Math.max(job.memoryMb, 8);
  const isolate = new ivm.Isolate({ memoryLimit: memoryMb });
  /** @param {import("./protocol").SandboxFailureKind} kind @param {string} message @param {number} [line] @returns {SandboxReply} */
  const fail = (kind, message, line) => ({
    id: job.id,
    ok: false,
    kind,
    message,
    ...(line === undefined ? {} : { line }),
    logs,
    durationMs: elapsed(),
  });
  try {
    const context = await isolate.createContext();
    const jail = context.global;
    await jail.set("__weft_inputs", JSON.stringify(job.inputs));
    await jail.set(
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

    const definesMain = DEFINES_MAIN.test(job.code);
    const source = definesMain ? job.code : `async function main(inputs) {\n${job.code}\n}`;
    let script;
    try {
      script = await isolate.compileScript(source, { filename: FILENAME, lineOffset: definesMain ? 0 : -1 });
    } catch (error) {
      const e = /** @type {Error} */ (error);
      const line = lineOf(e);
      const message = e.message.replace(/\s*\[code\.js:\d+:\d+\]$/, "");
      return fail("syntax", `Syntax error${line ? ` on line ${line}` : ""}: ${message}`, line);
    }
    // The budget covers defining main and running it.
    await script.run(context, { timeout: job.timeoutMs });
    const runner = await isolate.compileScript(RUNNER, { filename: "weft-runner.js" });
    const json = await runner.run(context, { timeout: job.timeoutMs, promise: true });
    if (typeof json !== "string") return fail("result", "The code must return an object such as { answer: 42 }.");
    if (Buffer.byteLength(json) > job.maxOutputBytes) {
      return fail("output", `The returned object is ${Buffer.byteLength(json)} bytes as JSON; the limit is ${job.maxOutputBytes}.`);
    }
    return { id: job.id, ok: true, json, logs, durationMs: elapsed() };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    if (isolate.isDisposed || /memory limit/i.test(e.message)) {
      return fail("memory", `The code used more than the memory limit of ${memoryMb} MB.`);
    }
    if (/Script execution timed out/.test(e.message)) {
      return fail("timeout", `The code ran longer than its time limit of ${job.timeoutMs} ms.`);
    }
    if (e.message.startsWith("WEFT_RESULT:") || e.message.startsWith("WEFT_JSON:")) {
      return fail("result", e.message.replace(/^WEFT_(RESULT|JSON):/, ""));
    }
    const line = lineOf(e);
    const name = e.name && e.name !== "Error" ? `${e.name}: ` : "";
    return fail("thrown", `The code threw${line ? ` on line ${line}` : ""}: ${name}${e.message}`, line);
  } finally {
    if (!isolate.isDisposed) isolate.dispose();
  }
}

// Jobs run one at a time; the parent sends the next only after the reply.
process.on("message", (/** @type {SandboxJob} */ job) => {
  void runJob(job).then((reply) => process.send?.(reply));
});
// The parent went away (crashed or exited): nothing left to do here.
process.on("disconnect", () => process.exit(0));
process.send?.({ ready: true });
