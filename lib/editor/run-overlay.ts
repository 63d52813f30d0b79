import { z } from "zod";
import type { RunEvent, RunStatusValue, StepOrigin, StepStatus } from "@/lib/engine/run-ports";

/**
 * What the canvas shows about the run being watched: built from the SSE `snapshot` and then
 * updated by each `step`, `delta` and `run` event. Pure, so it is tested without a browser.
 */

/** `not_run`: the run ended (failed, cancelled) before reaching the node. */
export type NodeRunStatus = "queued" | "not_run" | StepStatus;

export interface RunErrorView {
  code: string;
  message: string;
  nodeId?: string;
}

export interface NodeRunState {
  status: StepStatus;
  iteration: number;
  output: Record<string, unknown> | null;
  error: RunErrorView | null;
  branch: string | null;
  /** Status per loop item (iteration) of a node inside a loop; the fields above are its latest item's. */
  items: Record<number, StepStatus>;
  /** The node did not execute: disabled, or its pinned output was used (from step events). */
  origin?: StepOrigin;
}

export interface RunOverlay {
  runId: string;
  status: RunStatusValue;
  output: Record<string, unknown> | null;
  error: RunErrorView | null;
  steps: Record<string, NodeRunState>;
  /** Streamed text per node (LLM tokens) while it runs. */
  deltas: Record<string, string>;
  /** Set while the run waits for a limit (provider rate, workflow concurrency): what it waits for. */
  throttled?: string | null;
}

const TERMINAL: ReadonlySet<RunStatusValue> = new Set(["succeeded", "failed", "cancelled"]);
export const isTerminalRunStatus = (status: RunStatusValue): boolean => TERMINAL.has(status);

export function startOverlay(runId: string): RunOverlay {
  return { runId, status: "queued", output: null, error: null, steps: {}, deltas: {} };
}

const RunStatusSchema = z.enum(["queued", "running", "waiting", "succeeded", "failed", "cancelled"]);
const StepStatusSchema = z.enum(["running", "waiting", "succeeded", "failed", "skipped"]);
// Lenient on purpose: an output or error of an unexpected shape must not drop the whole message.
const ErrorSchema = z.object({ code: z.string(), message: z.string(), nodeId: z.string().optional() }).nullish().catch(null);
const OutputSchema = z.record(z.string(), z.unknown()).nullish().catch(null);

export const SnapshotSchema = z.object({
  run: z.object({ id: z.string(), status: RunStatusSchema, output: OutputSchema, error: ErrorSchema }),
  steps: z.array(
    z.object({
      nodeId: z.string(),
      iteration: z.number().default(0),
      status: StepStatusSchema,
      output: OutputSchema,
      error: ErrorSchema,
      branch: z.string().nullish(),
      /** Text a running step has streamed so far (tokens sent before this watcher connected). */
      partialText: z.string().nullish(),
      origin: z.enum(["pinned", "disabled"]).optional().catch(undefined),
    }),
  ),
});
export type RunSnapshot = z.infer<typeof SnapshotSchema>;

export const StepEventSchema = z.object({
  type: z.literal("step"),
  nodeId: z.string(),
  iteration: z.number().default(0),
  status: StepStatusSchema,
  output: OutputSchema,
  branch: z.string().nullish(),
  error: ErrorSchema,
  origin: z.enum(["pinned", "disabled"]).optional().catch(undefined),
  at: z.string().default(""),
});
export const DeltaEventSchema = z.object({
  type: z.literal("delta"),
  nodeId: z.string(),
  iteration: z.number().default(0),
  text: z.string(),
});
export const RunStatusEventSchema = z.object({
  type: z.literal("run"),
  status: RunStatusSchema,
  output: OutputSchema,
  error: ErrorSchema,
  throttled: z.object({ reason: z.string() }).optional(),
  at: z.string().default(""),
});

/** Parses one SSE message by its event name; null when it is not something the editor understands. */
export function parseRunMessage(eventName: string, data: string): { kind: "snapshot"; snapshot: RunSnapshot } | { kind: "event"; event: RunEvent } | null {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  switch (eventName) {
    case "snapshot": {
      const parsed = SnapshotSchema.safeParse(json);
      return parsed.success ? { kind: "snapshot", snapshot: parsed.data } : null;
    }
    case "step": {
      const parsed = StepEventSchema.safeParse(withType(json, "step"));
      return parsed.success ? { kind: "event", event: parsed.data as RunEvent } : null;
    }
    case "delta": {
      const parsed = DeltaEventSchema.safeParse(withType(json, "delta"));
      return parsed.success ? { kind: "event", event: parsed.data } : null;
    }
    case "run": {
      const parsed = RunStatusEventSchema.safeParse(withType(json, "run"));
      return parsed.success ? { kind: "event", event: parsed.data as RunEvent } : null;
    }
    default:
      return null;
  }
}

// The event name already says what it is; tolerate servers that leave `type` out of the data.
function withType(json: unknown, type: string): unknown {
  return json && typeof json === "object" && !("type" in json) ? { ...json, type } : json;
}

export function applySnapshot(overlay: RunOverlay, snapshot: RunSnapshot): RunOverlay {
  const steps: Record<string, NodeRunState> = {};
  const deltas: Record<string, string> = { ...overlay.deltas };
  for (const step of snapshot.steps) {
    const current = steps[step.nodeId];
    const items = { ...current?.items, [step.iteration]: step.status };
    if (current && current.iteration > step.iteration) {
      steps[step.nodeId] = { ...current, items };
      continue;
    }
    if (step.partialText) deltas[step.nodeId] = step.partialText;
    steps[step.nodeId] = {
      status: step.status,
      iteration: step.iteration,
      output: step.output ?? null,
      error: step.error ?? null,
      branch: step.branch ?? null,
      items,
      ...(step.origin ? { origin: step.origin } : {}),
    };
  }
  return {
    ...overlay,
    status: snapshot.run.status,
    output: snapshot.run.output ?? null,
    error: snapshot.run.error ?? null,
    steps,
    deltas,
  };
}

export function applyRunEvent(overlay: RunOverlay, event: RunEvent): RunOverlay {
  switch (event.type) {
    case "step": {
      const current = overlay.steps[event.nodeId];
      const items = { ...current?.items, [event.iteration]: event.status };
      if (current && current.iteration > event.iteration) return { ...overlay, steps: { ...overlay.steps, [event.nodeId]: { ...current, items } } };
      const deltas = event.status === "running" ? { ...overlay.deltas, [event.nodeId]: "" } : overlay.deltas;
      return {
        ...overlay,
        // A step event means the run is under way even if the `run` event has not arrived yet.
        status: overlay.status === "queued" ? "running" : overlay.status,
        deltas,
        steps: {
          ...overlay.steps,
          [event.nodeId]: {
            status: event.status,
            iteration: event.iteration,
            output: event.output ?? null,
            error: event.error ?? null,
            branch: event.branch ?? null,
            items,
            ...(event.origin ? { origin: event.origin } : {}),
          },
        },
      };
    }
    case "delta":
      return { ...overlay, deltas: { ...overlay.deltas, [event.nodeId]: (overlay.deltas[event.nodeId] ?? "") + event.text } };
    case "run":
      return {
        ...overlay,
        status: event.status,
        output: event.output ?? overlay.output,
        error: event.error ?? overlay.error,
        throttled: event.throttled?.reason ?? null,
      };
  }
}

/** Every node is `queued` until an event says otherwise, and `not_run` once the run ended without reaching it. */
export function nodeRunStatus(overlay: Pick<RunOverlay, "status" | "steps">, nodeId: string): NodeRunStatus {
  return overlay.steps[nodeId]?.status ?? (isTerminalRunStatus(overlay.status) ? "not_run" : "queued");
}

/** "3 done · 1 running · 1 failed" for a node inside a loop; null when it ran at most once. */
export function itemProgress(state: NodeRunState | undefined): string | null {
  if (!state) return null;
  const statuses = Object.values(state.items);
  if (statuses.length < 2 && state.iteration === 0) return null;
  const count = (status: StepStatus) => statuses.filter((s) => s === status).length;
  const parts = [
    [count("succeeded"), "done"],
    [count("running"), "running"],
    [count("waiting"), "waiting"],
    [count("failed"), "failed"],
    [count("skipped"), "skipped"],
  ] as const;
  return parts.filter(([n]) => n > 0).map(([n, label]) => `${n} ${label}`).join(" · ");
}
