import { NodeError, toErrorInfo, type ErrorInfo, type FailureTrace } from "./errors";
import { graphLevel, type Graph, type GraphNode } from "./graph";
import { evaluateExpression } from "./expression";
import { iterate } from "./loop";
import { blockingProblems } from "./node-test";
import { validateRunInputs } from "./inputs";
import { LIMITS, type Limits } from "./limits";
import { isNodeWait, type AnyNodeExecutor, type NodeContext, type NodeResult, type NodeWait, type WaitResolution } from "./node-kit";
import type { EngineServices } from "./ports";
import { abortableSleep, ERROR_HANDLE, readNodeSettings, retryDelayMs, stepPolicy, type StepPolicy } from "./policy";
import type { RunEvent, RunEventSink, RunOutcome, StepFailure, StepOrigin, StepRecord, StepStore, StepSuccess } from "./run-ports";
import { executableGraph, schedule, type SchedulerState } from "./scheduler";
import { parsePath, renderTemplate, resolvePath } from "./template";
import { addUsage, zeroUsage, type TokenUsage } from "./usage";
import { carriedVariables, conversationOf } from "./conversation";
import { applyStepToVariables, initialVariables, VARIABLE_SCOPE_KEY } from "./variables";
import { hasErrors, validateGraph, type NodeRegistry } from "./validate";

/**
 * Runs (or resumes) one workflow run to completion over the ports it is given.
 * It never writes the run's own status: the caller does, from the returned outcome.
 */

export interface RunOptions {
  runId: string;
  graph: Graph;
  inputs: unknown;
  registry: NodeRegistry;
  executors: Readonly<Record<string, AnyNodeExecutor | undefined>>;
  store: StepStore;
  events: RunEventSink;
  services: EngineServices;
  signal: AbortSignal;
  maxConcurrency?: number;
  now?: () => Date;
  /** Waits between retry attempts; rejects with the signal's reason when it aborts. Tests inject an instant one. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * When the run first started (before any crash and resume), so the run deadline
   * (`limits.maxRunDurationMs`) counts the whole run, not this call. Defaults to now.
   */
  startedAt?: Date;
  /**
   * The caller already validated this exact graph against this registry (a worker keeps that per
   * immutable published version, lib/runs/version-graphs.ts): the per-run validation is skipped.
   */
  graphChecked?: boolean;
  /** Overrides of LIMITS, per run (a run's own deadline goes in `maxRunDurationMs`; tests use small ones). */
  limits?: Partial<Limits>;
  /** Called with errors that are not NodeErrors (bugs, infrastructure) so the caller can log them. */
  onUnexpectedError?: (error: unknown, nodeId: string) => void;
  /**
   * Recognises infrastructure faults (the database or the queue briefly gone) thrown by an executor:
   * such an error stops the run like a failing store write (the caller retries the run later and
   * the step runs again) instead of failing the step.
   */
  isInfrastructureError?: (error: unknown) => boolean;
  /**
   * Use the outputs pinned on nodes (`node.pin`) instead of executing them. Only draft runs from the
   * editor set it (the worker: runs without a published version); every other run ignores pins.
   */
  usePins?: boolean;
  /**
   * A node test (lib/runs/node-test.ts): the graph is the tested node with its upstream nodes, all
   * pinned. Only the tested node's own problems (and graph-wide ones but the missing End) refuse the
   * run, and the run's output is the tested node's output.
   */
  nodeTest?: { nodeId: string };
}

/** Steps outside loop bodies are iteration 0; body steps use the item's index. */
const TOP_ITERATION = 0;

/** One level being executed: the top level, or a loop body for one item. */
interface Frame {
  iteration: number;
  /** What nodes of this level read: the run scope, plus `{ item, index }` under the loop's id and the item's body outputs. */
  scope: Record<string, unknown>;
  states: Record<string, SchedulerState>;
  /** Waiting steps of this level whose wait was resolved: executed again with `ctx.resume`. */
  resumes: Map<string, WaitResolution>;
}

type StepEnd = { status: "succeeded" } | { status: "waiting" } | { status: "failed"; error: ErrorInfo } | { status: "stopped" };
type LevelEnd = { status: "succeeded" } | { status: "waiting" } | { status: "failed"; error: ErrorInfo; fatal?: boolean } | { status: "stopped" };

function nodeName(node: GraphNode, registry: NodeRegistry): string {
  const title = node.data.title ?? node.data.label;
  const label = registry[node.type]?.label ?? node.type;
  return typeof title === "string" && title.trim() ? `"${title.trim()}" (${node.id})` : `${label} node "${node.id}"`;
}

/** JSON round-trip: the scope then holds exactly what a resumed run reads back from the store. */
function normaliseOutput(output: unknown, maxBytes: number): Record<string, unknown> {
  if (typeof output !== "object" || output === null || Array.isArray(output)) {
    throw new NodeError("output_invalid", "The node produced no output object.");
  }
  let json: string;
  try {
    json = JSON.stringify(output);
  } catch (error) {
    throw new NodeError("output_invalid", "The node's output cannot be stored as JSON.", { cause: error });
  }
  // A UTF-16 length above the limit is certainly too many bytes; only encode when it could be.
  const bytes = json.length > maxBytes ? json.length : json.length * 3 > maxBytes ? new TextEncoder().encode(json).length : json.length;
  if (bytes > maxBytes) {
    throw new NodeError(
      "output_invalid",
      `The node's output is ${(bytes / 1024).toFixed(0)} KiB; the limit is ${(maxBytes / 1024).toFixed(0)} KiB per step.`,
    );
  }
  return JSON.parse(json) as Record<string, unknown>;
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${Math.round(ms / 1000)} s`;
  return `${ms} ms`;
}

/** Why the run's own signal fired: the caller's cancellation or the run deadline. */
function abortError(signal: AbortSignal): NodeError {
  return signal.reason instanceof NodeError ? signal.reason : new NodeError("cancelled", "The run was cancelled.");
}

/** One failed attempt, as kept in the step's `detail.attempts`. */
export interface AttemptRecord {
  attempt: number;
  code: ErrorInfo["code"];
  message: string;
  /** The wait before the next attempt; absent on the last one. */
  retryInMs?: number;
  /** The provider's Retry-After, when it sent one. */
  retryAfterMs?: number;
}

/** Settles with the executor, or rejects as soon as the run stops (cancel, deadline) or the step times out. */
function guarded<R>(run: (signal: AbortSignal) => Promise<R>, runSignal: AbortSignal, timeoutMs: number): Promise<R> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => {
      const error = abortError(runSignal);
      controller.abort(error);
      reject(error);
    };
    if (runSignal.aborted) onAbort();
    else runSignal.addEventListener("abort", onAbort, { once: true });
    timer = setTimeout(() => {
      const error = new NodeError("timeout", `The step did not finish within ${formatDuration(timeoutMs)}.`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  stopped.catch(() => undefined);
  const work = Promise.resolve().then(() => run(controller.signal));
  return Promise.race([work, stopped]).finally(() => {
    clearTimeout(timer);
    if (onAbort) runSignal.removeEventListener("abort", onAbort);
  });
}

/** What one attempt of a step ended with. */
type AttemptResult =
  | { ok: true; result: NodeResult; output: Record<string, unknown> }
  | { ok: "waiting"; wait: NodeWait }
  | { ok: false; error: ErrorInfo; trace: FailureTrace; result?: NodeResult; retryAfterMs?: number };

export async function executeRun(options: RunOptions): Promise<RunOutcome> {
  const { runId, registry, executors, store, events, services, signal } = options;
  // Notes and other canvas-only nodes are not part of the run.
  const graph = executableGraph(options.graph, (type) => registry[type]?.executable !== false);
  const limits: Limits = { ...LIMITS, ...options.limits };
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? abortableSleep;
  const maxConcurrency = Math.max(1, options.maxConcurrency ?? limits.maxConcurrency);
  let usage: TokenUsage = zeroUsage();
  // The one redaction of everything a run records (step rows, events, the run's output and error):
  // each secret value the run resolved, in every encoded form (lib/secrets/redact.ts).
  const scrub = <T,>(value: T): T => (services.secrets ? services.secrets.redact(value) : value);
  const publish = (event: RunEvent) => events.publish(scrub(event));

  const problems = options.graphChecked ? [] : blockingProblems(validateGraph(graph, registry), options.nodeTest);
  if (hasErrors(problems)) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})` : "";
    return { status: "failed", error: { code: "invalid_graph", message: `The workflow is not valid: ${problems[0].message}${more}` }, usage };
  }
  const checked = validateRunInputs(graph, registry, options.inputs);
  if (!checked.ok) {
    return { status: "failed", error: { code: "invalid_input", message: checked.problems.map((p) => p.message).join(" ") }, usage };
  }
  const inputs = checked.inputs;

  // The run's own signal: the caller's cancellation, or the run deadline (counted from the run's first start).
  const runController = new AbortController();
  const runSignal = runController.signal;
  // Made only when the deadline passes: an Error captures a stack trace, too dear for every run.
  const deadlineMessage = `The run exceeded its time limit of ${formatDuration(limits.maxRunDurationMs)} and was stopped.`;
  let deadlineError: NodeError | undefined;
  const abortForDeadline = () => {
    deadlineError = new NodeError("timeout", deadlineMessage, { retryable: false });
    runController.abort(deadlineError);
  };
  const onCancel = () => runController.abort(new NodeError("cancelled", "The run was cancelled."));
  if (signal.aborted) onCancel();
  else signal.addEventListener("abort", onCancel, { once: true });
  const startedAt = options.startedAt ?? now();
  const remainingMs = startedAt.getTime() + limits.maxRunDurationMs - now().getTime();
  let deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  if (remainingMs <= 0) abortForDeadline();
  // setTimeout takes at most 2^31-1 ms; a longer deadline is re-checked when that fires.
  else deadlineTimer = setTimeout(abortForDeadline, Math.min(remainingMs, 2 ** 31 - 1));
  const timedOut = () => runSignal.aborted && deadlineError !== undefined && runSignal.reason === deadlineError && !signal.aborted;

  try {
    return await runLoop();
  } finally {
    clearTimeout(deadlineTimer);
    signal.removeEventListener("abort", onCancel);
  }

  async function runLoop(): Promise<RunOutcome> {
    const nodes = new Map(graph.nodes.map((n) => [n.id, n] as const));
    const topLevel = graphLevel(graph, undefined);
    const top: Frame = {
      iteration: TOP_ITERATION,
      scope: { input: inputs, ...(graph.variables?.length ? { [VARIABLE_SCOPE_KEY]: initialVariables(graph, carriedVariables(conversationOf(graph, registry), graph.variables, inputs)) } : {}) },
      states: {},
      resumes: new Map(),
    };
    /** Workflow variables follow succeeded Variable assign steps, in step order (read back on resume). */
    const assignVariables = (node: GraphNode, output: Record<string, unknown>, frame: Frame) => {
      for (const target of frame === top ? [top] : [frame, top]) {
        const current = target.scope[VARIABLE_SCOPE_KEY] as Record<string, unknown> | undefined;
        if (current) target.scope[VARIABLE_SCOPE_KEY] = applyStepToVariables(current, registry[node.type], output);
      }
    };
    const endOutputs: Record<string, unknown>[] = [];
    /** A disabled node: empty output, and every normal out-edge active (as for a node that took no branch). */
    const passThrough = (frame: Frame, node: GraphNode) => {
      frame.states[node.id] = { status: "succeeded" };
      frame.scope[node.id] = {};
    };
    let steps = 0;
    /** Recorded steps of loop bodies, by `${loopId}:${iteration}`, read when that item runs. */
    const bodyRecords = new Map<string, StepRecord[]>();

    // Resume: finished steps are read back, never recomputed; running/failed ones run again;
    // waiting ones stay waiting until their wait is resolved (then they run again with ctx.resume).
    const restore = (frame: Frame, node: GraphNode, record: StepRecord) => {
      if (record.status === "waiting") {
        const wait = record.wait;
        if (wait && wait.status !== "pending") {
          frame.resumes.set(node.id, { status: wait.status, response: wait.response, answeredBy: wait.answeredBy ?? null, at: wait.at });
        } else {
          frame.states[node.id] = { status: "waiting" };
        }
      } else if (record.status === "succeeded") {
        const output = record.output ?? {};
        frame.states[node.id] = { status: "succeeded", branch: record.branch ?? undefined };
        frame.scope[node.id] = output;
        if (frame === top && registry[node.type]?.role === "end") endOutputs.push(output);
      } else if (record.status === "skipped") {
        // A disabled node's skip is decided again by the scheduler (cheap, nothing executes): it lets
        // the flow through when reached, and stays a plain skip on a branch not taken.
        if (!node.disabled) frame.states[node.id] = { status: "skipped" };
      }
    };
    for (const record of await store.loadSteps()) {
      const node = nodes.get(record.nodeId);
      if (!node) continue;
      // Reused steps count towards the step limit, wherever they are.
      if (record.status === "succeeded" || (record.status === "waiting" && (record.wait?.status ?? "pending") === "pending")) steps++;
      if (record.status === "succeeded" && !record.error) assignVariables(node, record.output ?? {}, top);
      if (node.parentId) {
        const key = `${node.parentId}:${record.iteration}`;
        bodyRecords.set(key, [...(bodyRecords.get(key) ?? []), record]);
      } else if (record.iteration === TOP_ITERATION) {
        restore(top, node, record);
      }
    }

    let storeError: { error: unknown } | undefined;
    const halted = () => storeError !== undefined || runSignal.aborted;

    /** One execution of the node under its timeout; throws only infrastructure faults (store calls are outside). */
    const attemptOnce = async (node: GraphNode, frame: Frame, policy: StepPolicy, resume: WaitResolution | undefined): Promise<AttemptResult> => {
      const def = registry[node.type]!;
      const key = { nodeId: node.id, iteration: frame.iteration };
      let result: NodeResult | undefined;
      try {
        const parsed = def.configSchema.safeParse(node.data);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new NodeError("invalid_graph", `The node's settings are invalid: ${issue.path.join(".") || "config"}: ${issue.message}`);
        }
        const executor = executors[node.type];
        if (!executor) throw new NodeError("internal", `No executor is installed for nodes of type "${node.type}".`);
        const snapshot = { ...frame.scope };
        const returned = await guarded(
          (stepSignal) => {
            const ctx: NodeContext<unknown> = {
              runId,
              nodeId: node.id,
              iteration: frame.iteration,
              idempotencyKey: `${runId}:${node.id}:${frame.iteration}`,
              config: parsed.data,
              inputs,
              variables: graph.variables ?? [],
              scope: snapshot,
              render: (template) => renderTemplate(template, snapshot),
              resolvePath: (path) => resolvePath(snapshot, path),
              signal: stepSignal,
              services,
              emitDelta: (text) => publish({ type: "delta", ...key, text }),
              ...(resume ? { resume } : {}),
            };
            return executor(ctx);
          },
          runSignal,
          policy.timeoutMs,
        );
        if (isNodeWait(returned)) return { ok: "waiting", wait: returned };
        result = returned;
        return { ok: true, result, output: normaliseOutput(result.output, limits.maxStepOutputBytes) };
      } catch (thrown) {
        if (!(thrown instanceof NodeError) && options.isInfrastructureError?.(thrown)) throw thrown;
        if (!(thrown instanceof NodeError)) options.onUnexpectedError?.(thrown, node.id);
        return {
          ok: false,
          error: toErrorInfo(thrown, node.id),
          trace: thrown instanceof NodeError ? thrown.trace : {},
          result,
          retryAfterMs: thrown instanceof NodeError ? thrown.retryAfterMs : undefined,
        };
      }
    };

    /** Records a succeeded step in the store, the frame and the event stream. */
    const succeed = async (node: GraphNode, frame: Frame, unscrubbed: Omit<StepSuccess, "nodeId" | "iteration">, origin?: StepOrigin) => {
      // Scrubbed before the scope sees it too, so later nodes read what a resumed run would read back.
      const step = scrub(unscrubbed);
      const key = { nodeId: node.id, iteration: frame.iteration };
      await store.completeStep({ ...key, ...step });
      frame.states[node.id] = { status: "succeeded", branch: step.branch };
      frame.scope[node.id] = step.output;
      if (!step.error) assignVariables(node, step.output, frame);
      if (frame === top && registry[node.type]?.role === "end") endOutputs.push(step.output);
      publish({
        type: "step",
        ...key,
        status: "succeeded",
        output: step.output,
        branch: step.branch ?? null,
        ...(step.error ? { error: step.error } : {}),
        usage: step.usage,
        ...(origin ? { origin } : {}),
        at: now().toISOString(),
      });
    };

    const fail = async (node: GraphNode, frame: Frame, unscrubbed: Omit<StepFailure, "nodeId" | "iteration">): Promise<StepEnd> => {
      const step = scrub(unscrubbed);
      const key = { nodeId: node.id, iteration: frame.iteration };
      await store.failStep({ ...key, ...step });
      frame.states[node.id] = { status: "failed" };
      publish({ type: "step", ...key, status: "failed", error: step.error, at: now().toISOString() });
      return { status: "failed", error: step.error };
    };

    const runStep = async (node: GraphNode, frame: Frame, resume: WaitResolution | undefined): Promise<StepEnd> => {
      const def = registry[node.type]!;
      const key = { nodeId: node.id, iteration: frame.iteration };
      // The graph was validated above, so the settings parse; fall back to the defaults all the same.
      const settings = readNodeSettings(def, node.data);
      const policy = stepPolicy(settings.ok ? settings.settings : { onError: "fail" }, limits);
      const history: AttemptRecord[] = [];
      let spent: TokenUsage | undefined;
      let tries = 0;

      while (true) {
        const { attempt } = await store.beginStep({ ...key, nodeType: node.type });
        tries++;
        publish({ type: "step", ...key, status: "running", ...(tries > 1 ? { attempt } : {}), at: now().toISOString() });
        const outcome = await attemptOnce(node, frame, policy, resume);
        if (outcome.ok === "waiting") {
          // Not a failure and not an output: the step parks until the wait is resolved, other branches go on.
          const { wait, input, detail } = outcome.wait;
          const detailWithAttempts = history.length > 0 ? { ...detail, attempts: history } : detail;
          await store.waitStep(scrub({ ...key, nodeType: node.type, input: input ?? null, detail: detailWithAttempts, wait, usage: spent }));
          frame.states[node.id] = { status: "waiting" };
          publish({ type: "step", ...key, status: "waiting", wait: { kind: wait.kind, request: wait.request }, at: now().toISOString() });
          return { status: "waiting" };
        }
        const attemptUsage = outcome.ok ? outcome.result.usage : (outcome.result?.usage ?? outcome.trace.usage);
        spent = attemptUsage ? addUsage(spent ?? zeroUsage(), attemptUsage) : spent;
        usage = addUsage(usage, attemptUsage);

        if (outcome.ok) {
          const { result, output } = outcome;
          const detail = history.length > 0 ? { ...result.detail, attempts: history } : result.detail;
          await succeed(node, frame, { input: result.input ?? null, output, branch: result.branch, detail, usage: spent });
          return { status: "succeeded" };
        }

        let info = outcome.error;
        const input = outcome.result?.input ?? outcome.trace.input;
        const nodeDetail = outcome.result?.detail ?? outcome.trace.detail;
        const stopped = runSignal.aborted;
        const retry = !stopped && info.retryable === true && tries < policy.maxAttempts;
        const delay = retry ? retryDelayMs(policy, tries, outcome.retryAfterMs, limits) : undefined;
        if (retry || history.length > 0) {
          history.push({
            attempt,
            code: info.code,
            message: info.message,
            ...(delay !== undefined ? { retryInMs: delay } : {}),
            ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
          });
        }
        if (retry) {
          try {
            await sleep(delay!, runSignal);
            continue;
          } catch {
            // Cancelled or out of time while waiting: the step ends with the run's reason.
            info = toErrorInfo(abortError(runSignal), node.id);
          }
        }
        const detail = history.length > 0 ? { ...nodeDetail, attempts: history } : nodeDetail;

        // A handled failure: the run goes on with a default output or down the error branch.
        if (!runSignal.aborted && policy.onError !== "fail") {
          const shown = { code: info.code, message: info.message };
          const output = policy.onError === "branch" ? { error: shown } : normaliseOutput(policy.defaultOutput, limits.maxStepOutputBytes);
          const branch = policy.onError === "branch" ? ERROR_HANDLE : undefined;
          await succeed(node, frame, { input: input ?? null, output, branch, detail: { ...detail, error: shown }, usage: spent, error: info });
          return { status: "succeeded" };
        }
        return fail(node, frame, { input, error: info, detail, usage: spent });
      }
    };

    /** A node with a pinned output (editor runs only): recorded as a succeeded step with `detail.pinned`, nothing executes. */
    const runPinned = async (node: GraphNode, frame: Frame, pin: NonNullable<GraphNode["pin"]>): Promise<StepEnd> => {
      const key = { nodeId: node.id, iteration: frame.iteration };
      await store.beginStep({ ...key, nodeType: node.type });
      publish({ type: "step", ...key, status: "running", at: now().toISOString() });
      let output: Record<string, unknown>;
      try {
        output = normaliseOutput(pin.output, limits.maxStepOutputBytes);
      } catch (error) {
        return fail(node, frame, { input: null, error: toErrorInfo(error, node.id), detail: { pinned: true } });
      }
      await succeed(node, frame, { input: null, output, branch: pin.branch, detail: { pinned: true, ...(pin.source ? { source: pin.source } : {}) } }, "pinned");
      return { status: "succeeded" };
    };

    /** A disabled node: its step is skipped (`detail.disabled`) and the flow goes on through it with an empty output. */
    const passDisabled = async (node: GraphNode, frame: Frame) => {
      await store.skipStep({ nodeId: node.id, iteration: frame.iteration, nodeType: node.type, detail: { disabled: true } });
      passThrough(frame, node);
      publish({ type: "step", nodeId: node.id, iteration: frame.iteration, status: "skipped", origin: "disabled", at: now().toISOString() });
    };

    /**
     * A container (Loop): its executor resolves the list, then its body runs once per item as a
     * sub-run over the body graph, with per-item steps keyed (body node, item index). The loop's
     * own step stays `running` while an item waits; on resume it runs again and reuses every
     * finished item from the store.
     */
    const runContainer = async (node: GraphNode, frame: Frame): Promise<StepEnd> => {
      const def = registry[node.type]!;
      const key = { nodeId: node.id, iteration: frame.iteration };
      await store.beginStep({ ...key, nodeType: node.type });
      publish({ type: "step", ...key, status: "running", at: now().toISOString() });
      const listed = await attemptOnce(node, frame, stepPolicy({ onError: "fail" }, limits), undefined);
      if (listed.ok !== true) {
        const error = listed.ok === false ? listed.error : { code: "internal" as const, message: "A loop cannot wait itself.", nodeId: node.id };
        return fail(node, frame, { input: listed.ok === false ? listed.trace.input : undefined, error });
      }
      const items = listed.output.items;
      const input = listed.result.input ?? null;
      if (!Array.isArray(items)) {
        return fail(node, frame, { input, error: { code: "internal", message: "The loop's executor returned no list.", nodeId: node.id } });
      }
      if (items.length > limits.maxLoopItems) {
        const message = `The list has ${items.length} items; a loop takes at most ${limits.maxLoopItems}. Shorten the list or split the work.`;
        return fail(node, frame, { input, error: { code: "limit_exceeded", message, nodeId: node.id } });
      }
      const plan = def.container!.plan(def.configSchema.parse(node.data));
      const body = graphLevel(graph, node.id);

      const itemFrame = (index: number): Frame => {
        const item: Frame = {
          iteration: index,
          scope: { ...frame.scope, [node.id]: { item: items[index], index } },
          states: {},
          resumes: new Map(),
        };
        for (const record of bodyRecords.get(`${node.id}:${index}`) ?? []) restore(item, nodes.get(record.nodeId)!, record);
        return item;
      };
      const frames = new Map<number, Frame>();

      const ended = await iterate({
        count: items.length,
        plan: { ...plan, parallelism: Math.min(plan.parallelism, limits.maxLoopParallelism) },
        halted,
        runItem: async (index) => {
          const item = itemFrame(index);
          frames.set(index, item);
          const end = await runGraph(body, item, maxConcurrency);
          return end.status === "succeeded" ? { status: "succeeded", scope: item.scope } : end;
        },
        finishItem: async (index, scope) => {
          const states = frames.get(index)!.states;
          // A finished item's frame is not needed again (its result is kept by iterate).
          frames.delete(index);
          let value: unknown;
          if (plan.collect) {
            const root = parsePath(plan.collect)?.[0];
            value = root && states[root]?.status === "skipped" ? null : (resolvePath(scope, plan.collect) ?? null);
          } else {
            value = Object.fromEntries(body.nodes.filter((n) => states[n.id]?.status === "succeeded").map((n) => [n.id, scope[n.id]]));
          }
          if (!plan.breakCondition) return { value, stop: false };
          const verdict = await evaluateExpression(plan.breakCondition, scope, { signal: runSignal });
          if (verdict !== true && verdict !== false && verdict !== undefined && verdict !== null) {
            throw new NodeError("expression_error", `The break condition must give true or false; it gave ${JSON.stringify(verdict)?.slice(0, 60)}.`);
          }
          return { value, stop: verdict === true };
        },
      });

      if (ended.status === "stopped") {
        if (storeError) return { status: "stopped" };
        return fail(node, frame, { input, error: toErrorInfo(abortError(runSignal), node.id) });
      }
      if (ended.status === "failed") return fail(node, frame, { input, error: { ...ended.error, nodeId: node.id } });
      if (ended.status === "waiting") {
        frame.states[node.id] = { status: "waiting" };
        return { status: "waiting" };
      }
      let output: Record<string, unknown>;
      try {
        output = normaliseOutput({ results: ended.results, count: ended.results.length }, limits.maxStepOutputBytes);
      } catch (error) {
        return fail(node, frame, { input, error: toErrorInfo(error, node.id) });
      }
      await succeed(node, frame, { input, output });
      return { status: "succeeded" };
    };

    /**
     * Runs one level of the graph (the top level, or a loop body for one item) until nothing more
     * can start: the ready-queue of scheduler.ts, at most `concurrency` nodes at a time.
     */
    const runGraph = async (level: Graph, frame: Frame, concurrency: number): Promise<LevelEnd> => {
      const inFlight = new Map<string, Promise<void>>();
      let failed: { error: ErrorInfo; fatal?: boolean } | undefined;

      const start = (node: GraphNode) => {
        frame.states[node.id] = { status: "running" };
        steps++;
        const resume = frame.resumes.get(node.id);
        frame.resumes.delete(node.id);
        const pin = options.usePins ? node.pin : undefined;
        const task = (pin ? runPinned(node, frame, pin) : registry[node.type]?.container ? runContainer(node, frame) : runStep(node, frame, resume))
          .then((end) => {
            if (end.status === "failed") failed ??= { error: { ...end.error, message: `${nodeName(node, registry)} failed: ${end.error.message}` } };
          })
          .catch((error: unknown) => {
            // The store failed: stop scheduling and let the caller retry the whole run later.
            storeError ??= { error };
            frame.states[node.id] = { status: "failed" };
          })
          .finally(() => inFlight.delete(node.id));
        inFlight.set(node.id, task);
      };

      try {
        while (true) {
          // Disabled nodes pass at once; what they make ready is scheduled in the same turn.
          let passed = false;
          if (!failed && !halted()) {
            const next = schedule(level, frame.states);
            for (const id of next.skip) {
              await store.skipStep({ nodeId: id, iteration: frame.iteration, nodeType: nodes.get(id)!.type });
              frame.states[id] = { status: "skipped" };
              publish({ type: "step", nodeId: id, iteration: frame.iteration, status: "skipped", at: now().toISOString() });
            }
            for (const id of next.ready) {
              const node = nodes.get(id)!;
              if (node.disabled) {
                await passDisabled(node, frame);
                passed = true;
                continue;
              }
              if (inFlight.size >= concurrency) break;
              if (steps >= limits.maxStepsPerRun) {
                const message = `The run reached the limit of ${limits.maxStepsPerRun} steps per run and was stopped before ${nodeName(nodes.get(id)!, registry)}.`;
                failed ??= { error: { code: "limit_exceeded", message, nodeId: id }, fatal: true };
                break;
              }
              start(node);
            }
          }
          if (passed) continue;
          if (inFlight.size === 0) break;
          await Promise.race(inFlight.values());
        }
      } catch (error) {
        storeError ??= { error };
        await Promise.allSettled(inFlight.values());
      }

      if (halted()) return { status: "stopped" };
      if (failed) return { status: "failed", ...failed };
      // Everything that could run has run; what is left depends on a wait (downstream nodes stay pending).
      if (level.nodes.some((n) => frame.states[n.id]?.status === "waiting")) return { status: "waiting" };
      const stuck = level.nodes.filter((n) => (frame.states[n.id]?.status ?? "pending") === "pending");
      if (stuck.length > 0) {
        return { status: "failed", error: { code: "internal", message: `The run stopped before ${stuck.map((n) => nodeName(n, registry)).join(", ")} could run.` } };
      }
      return { status: "succeeded" };
    };

    const end = await runGraph(topLevel, top, maxConcurrency);
    if (storeError) throw storeError.error;
    const outcomeOf = (): RunOutcome => {
      if (signal.aborted) return { status: "cancelled", usage };
      if (timedOut()) return { status: "failed", error: { code: "timeout", message: deadlineMessage }, usage };
      if (end.status === "failed") return { status: "failed", error: end.error, usage };
      if (end.status === "waiting") return { status: "waiting", usage };
      if (end.status === "stopped") return { status: "failed", error: { code: "internal", message: "The run stopped unexpectedly." }, usage };
      if (options.nodeTest) return { status: "succeeded", output: (top.scope[options.nodeTest.nodeId] ?? {}) as Record<string, unknown>, usage };
      return { status: "succeeded", output: Object.assign({}, ...endOutputs) as Record<string, unknown>, usage };
    };
    return scrub(outcomeOf());
  }
}
