// @ts-check
// Plain JavaScript, loaded by child.mjs (no TypeScript loader in sandbox processes).
import ivm from "isolated-vm";

/**
 * The isolates of one sandbox process. A job runs in a fresh context — its own globals, built-ins
 * and prototypes, a console and a runner created before user code exists — inside an isolate that
 * is either brand new or has run earlier jobs of the *same workspace* (its `scope`) and ended
 * cleanly. An isolate is never shared between workspaces, runs one job at a time, and is disposed
 * of after a job that hit a limit, was cancelled or failed unexpectedly, after `MAX_USES` jobs, or
 * when too many idle ones are kept. Why contexts and not an isolate per job: lib/sandbox/ARCHITECTURE.md.
 */

/** Jobs one isolate may serve before it is disposed of (its heap does not grow old). */
const MAX_USES = 1_000;
/**
 * An isolate whose heap is larger than this after a job is collected before it is kept, and
 * disposed of if it still is: an idle isolate does not collect its garbage, so one that served a
 * large job would hold up to its memory limit while it waits (a fresh one holds about 2 MB). Every
 * job leaves its released context behind (about 230 KB), so a busy isolate reaches this every 10
 * or so jobs; collecting it then costs far less than a new isolate, whose first jobs run cold, and
 * 4 MB rather than 8 keeps a process's idle isolates as small as they were when they were replaced
 * (lib/sandbox/ARCHITECTURE.md has the figures).
 */
const MAX_IDLE_HEAP_BYTES = 4 * 1024 * 1024;

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
  let told = null;
  async function run(inputsJson, tell) {
    if (typeof main !== "function") throw new ErrorCtor("WEFT_RESULT:The code must define function main(inputs) or be a function body that returns an object.");
    const result = await main(parse(inputsJson));
    if (result === null || typeof result !== "object" || isArray(result)) {
      throw new ErrorCtor("WEFT_RESULT:The code must return an object such as { answer: 42 }, not " + typeName(result) + ".");
    }
    let json;
    try {
      json = stringify(result, function (key, value) {
        if (typeof value === "function" || typeof value === "symbol") throw new ErrorCtor("the value of " + (key ? stringify(key) : "the result") + " is a " + typeof value);
        if (typeof value === "bigint") throw new ErrorCtor("the value of " + stringify(key) + " is a BigInt");
        return value;
      });
    } catch (error) {
      throw new ErrorCtor("WEFT_JSON:The returned object cannot be turned into JSON: " + (error && error.message ? error.message : String(error)) + ".");
    }
    if (tell) told = json;
    return json;
  }
  // The synchronous attempt (child.mjs): start() runs main and, once its promises settle (within
  // the same call), leaves the JSON text where only take() reads it; set only here, from the
  // captured stringify, so user code cannot forge it. Nothing is left on failure: the job then runs again the asynchronous way.
  function start(inputsJson) {
    told = null;
    run(inputsJson, true);
  }
  function take() {
    const json = told;
    told = null;
    return json;
  }
  return [run, start, take];
})(JSON.stringify, JSON.parse, Array.isArray, Error)`;

/**
 * Run in each fresh context before user code exists: the console (its log callback is handed over
 * as a global and deleted at once, so user code never sees it), no WebAssembly (its memory lives
 * outside the heap limit and it compiles native code), and, as the script's value, the runner and
 * the isolate's garbage collector. The child runs with --expose-gc, which gives every context a
 * global `gc` (a global function, so it cannot be deleted): it is taken here and the global made
 * `undefined` and read-only before user code exists, so only this process can call it (null when
 * the flag is missing: then a large isolate is disposed of instead).
 */
const SETUP = `globalThis.console = (function (log) {
  const text = (args) => args.map((a) => (typeof a === "string" ? a : (function () { try { return JSON.stringify(a); } catch (e) { return String(a); } })())).join(" ");
  const emit = (...args) => { log(text(args)); };
  return { log: emit, info: emit, warn: emit, error: emit, debug: emit };
})(globalThis.$weftLog);
delete globalThis.$weftLog;
delete globalThis.WebAssembly;
(function (runner, collect) {
  return [runner[0], runner[1], runner[2], collect];
})(${RUNNER}, (function (collect) {
  if (typeof collect !== "function") return null;
  Object.defineProperty(globalThis, "gc", { value: undefined, writable: false });
  return collect;
})(globalThis.gc))`;

/** The setup script compiled once per isolate: a compiled script runs in any context of its isolate. */
const setupScripts = /** @type {WeakMap<ivm.Isolate, ivm.Script>} */ (new WeakMap());

/**
 * A job's context, ready to run user code. `sink` is where its console output goes; `collect`
 * runs a full garbage collection of the isolate (null without --expose-gc).
 * @typedef {{ logs: string[], chars: number, maxLines: number, maxChars: number }} Sink
 * `start` and `take` are the runner's synchronous attempt (child.mjs `attemptSync`).
 * @typedef {{ isolate: ivm.Isolate, context: ivm.Context, runner: ivm.Reference<(inputsJson: string) => Promise<string>>, start: ivm.Reference<(inputsJson: string) => void>, take: ivm.Reference<() => string | null>, collect: ivm.Reference<() => void> | null, sink: Sink, key: string | undefined }} Prepared
 */

/**
 * A fresh context in `isolate`: console, no WebAssembly, and the runner, taken before user code exists.
 * Synchronous on purpose: the isolate runs nothing else meanwhile and this is our own code, and each
 * asynchronous call would be a hop to the isolate's thread and back (two thread switches), which
 * cost more CPU than the work (bench/code-sandbox.ts; the figures are in lib/sandbox/ARCHITECTURE.md).
 * @param {ivm.Isolate} isolate @param {string | undefined} key @returns {Prepared}
 */
function prepareContext(isolate, key) {
  /** @type {Sink} */
  const sink = { logs: [], chars: 0, maxLines: 0, maxChars: 0 };
  let setup = setupScripts.get(isolate);
  if (!setup) {
    setup = isolate.compileScriptSync(SETUP, { filename: "weft-runner.js" });
    setupScripts.set(isolate, setup);
  }
  const context = isolate.createContextSync();
  const log = new ivm.Callback((/** @type {unknown} */ line) => {
    if (sink.logs.length >= sink.maxLines || sink.chars >= sink.maxChars) return;
    const text = String(line).slice(0, sink.maxChars - sink.chars);
    sink.chars += text.length;
    sink.logs.push(text);
  });
  context.global.setSync("$weftLog", log);
  const made = setup.runSync(context, { reference: true });
  /** @type {Prepared["runner"]} */
  const runner = made.getSync(0, { reference: true });
  /** @type {Prepared["start"]} */
  const start = made.getSync(1, { reference: true });
  /** @type {Prepared["take"]} */
  const take = made.getSync(2, { reference: true });
  const gc = made.getSync(3, { reference: true });
  made.release();
  /** @type {Prepared["collect"]} */
  const collect = gc.typeof === "function" ? gc : (gc.release(), null);
  return { isolate, context, runner, start, take, collect, sink, key };
}

/** @param {ivm.Isolate} isolate @param {string | undefined} key @returns {Prepared} */
function prepareOrDispose(isolate, key) {
  try {
    return prepareContext(isolate, key);
  } catch (error) {
    if (!isolate.isDisposed) isolate.dispose();
    throw error;
  }
}

/**
 * Collects an idle isolate whose heap passed MAX_IDLE_HEAP_BYTES; true when what is still alive
 * fits under it. V8 keeps some freed pages committed after a collection (about 4 MB in all), so the
 * live heap decides, not the committed one. The collector belongs to the job's own context, which it
 * keeps alive: that one context stays. Without a collector (no --expose-gc) nothing is freed.
 * @param {ivm.Isolate} isolate @param {Prepared["collect"]} collect
 */
function collectedSmall(isolate, collect) {
  if (!collect) return false;
  collect.applySync(undefined, []);
  return isolate.getHeapStatisticsSync().used_heap_size <= MAX_IDLE_HEAP_BYTES;
}

/**
 * @param {{ warm: number, idle: number, defaultMemoryMb: number }} sizes  `warm`: brand-new isolates
 * kept prepared for any workspace; `idle`: used isolates kept for their workspace.
 */
export function createIsolateStock({ warm: warmTarget, idle: idleTarget, defaultMemoryMb }) {
  /** Brand-new prepared isolates by memory limit (an isolate's limit is fixed when it is created). */
  const warm = /** @type {Map<number, Prepared[]>} */ (new Map());
  let warmCount = 0;
  /** Isolates that ended a job cleanly, by workspace and memory limit, least recently used first. */
  const idle = /** @type {Map<string, ivm.Isolate[]>} */ (new Map());
  let idleCount = 0;
  const uses = /** @type {WeakMap<ivm.Isolate, number>} */ (new WeakMap());
  let refilling = false;

  const takeWarm = (/** @type {number} */ memoryMb) => {
    const prepared = warm.get(memoryMb)?.pop();
    if (prepared) warmCount--;
    return prepared;
  };
  const takeIdle = (/** @type {string} */ key) => {
    const list = idle.get(key);
    const isolate = list?.pop();
    if (!isolate) return undefined;
    idleCount--;
    if (list?.length === 0) idle.delete(key);
    return isolate;
  };

  return {
    /**
     * A context for a job: in an idle isolate of its workspace, else a brand-new prepared one, else
     * a new isolate. `scope` is the workspace; a job without one never shares an isolate.
     * @param {string | undefined} scope @param {number} memoryMb @returns {Promise<Prepared>}
     */
    async acquire(scope, memoryMb) {
      const key = scope ? `${scope}/${memoryMb}` : undefined;
      const reused = key ? takeIdle(key) : undefined;
      if (reused) return prepareOrDispose(reused, key);
      const fresh = takeWarm(memoryMb);
      if (fresh) return { ...fresh, key };
      return prepareOrDispose(new ivm.Isolate({ memoryLimit: memoryMb }), key);
    },

    /**
     * After a job: its context is dropped; the isolate is kept for its workspace if the job ended
     * cleanly (collected first when its heap is large), else disposed of. @param {Prepared} prepared @param {boolean} clean
     */
    release(prepared, clean) {
      const { isolate, key, collect } = prepared;
      if (isolate.isDisposed) return;
      prepared.runner.release();
      prepared.start.release();
      prepared.take.release();
      prepared.context.release();
      const used = (uses.get(isolate) ?? 0) + 1;
      if (!clean || !key || used >= MAX_USES || idleTarget === 0) {
        collect?.release();
        return isolate.dispose();
      }
      uses.set(isolate, used);
      // Synchronous, as in prepareContext: the isolate is idle, and a hop to its thread costs more.
      try {
        const small = isolate.getHeapStatisticsSync().total_heap_size <= MAX_IDLE_HEAP_BYTES || collectedSmall(isolate, collect);
        collect?.release();
        if (!small) return isolate.dispose();
      } catch {
        return isolate.isDisposed ? undefined : isolate.dispose();
      }
      keep(key, isolate);
    },

    /**
     * Prepares brand-new isolates one at a time until the stock is full. Each holds this thread for
     * about a millisecond, so the child calls it only when no job is running.
     */
    refill() {
      if (refilling || warmCount >= warmTarget) return;
      refilling = true;
      setImmediate(async () => {
        try {
          while (warmCount < warmTarget) {
            const prepared = prepareOrDispose(new ivm.Isolate({ memoryLimit: defaultMemoryMb }), undefined);
            warm.set(defaultMemoryMb, [...(warm.get(defaultMemoryMb) ?? []), prepared]);
            warmCount++;
            // A job that arrives meanwhile is read before the next isolate is made.
            await new Promise((resolve) => setImmediate(resolve));
          }
        } catch {
          // No memory for another isolate now: jobs create their own until a later refill succeeds.
        } finally {
          refilling = false;
        }
      });
    },
  };

  /** Keeps a sound isolate for its workspace, dropping the least recently used past the limit. @param {string} key @param {ivm.Isolate} isolate */
  function keep(key, isolate) {
    // Most recently used last: re-inserting the key moves it to the end of the map.
    const list = idle.get(key) ?? [];
    idle.delete(key);
    idle.set(key, [...list, isolate]);
    idleCount++;
    for (const [oldest, isolates] of idle) {
      if (idleCount <= idleTarget) break;
      isolates.shift()?.dispose();
      idleCount--;
      if (isolates.length === 0) idle.delete(oldest);
    }
  }
}
