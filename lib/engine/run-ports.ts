import type { ErrorInfo } from "./errors";
import type { WaitRequest, WaitResolution } from "./node-kit";
import type { TokenUsage } from "./usage";

/**
 * How the engine reads and writes a run's durable state and tells watchers about it.
 * lib/runs implements these with Prisma and Redis; unit tests use in-memory fakes.
 */

export const STEP_STATUSES = ["running", "waiting", "succeeded", "failed", "skipped"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** Stable identity of a step: (run, node, iteration). Iteration is 0 outside loops. */
export interface StepKey {
  nodeId: string;
  iteration: number;
}

export interface StepRecord extends StepKey {
  nodeType: string;
  status: StepStatus;
  output?: Record<string, unknown> | null;
  branch?: string | null;
  error?: ErrorInfo | null;
  attempt: number;
  /** For a `waiting` step: its wait, pending or resolved (then the step is executed again with `ctx.resume`). */
  wait?: StepWaitState | null;
}

/** The state of a waiting step's wait as the store knows it. */
export type StepWaitState = { status: "pending" } | ({ status: WaitResolution["status"] } & Omit<WaitResolution, "status">);

/** A step that returned a NodeWait: it stays `waiting` until the wait is resolved. */
export interface StepWait extends StepKey {
  nodeType: string;
  input?: unknown;
  detail?: Record<string, unknown>;
  wait: WaitRequest;
  usage?: TokenUsage;
}

export interface StepBegin extends StepKey {
  nodeType: string;
}

/** A skip; `detail.disabled` when the node is disabled (it is skipped but the flow goes on through it). */
export interface StepSkip extends StepBegin {
  detail?: Record<string, unknown>;
}

/** Why a step did not execute its node: a disabled node, or an output pinned in the editor. */
export type StepOrigin = "disabled" | "pinned";

export interface StepSuccess extends StepKey {
  input: unknown;
  output: Record<string, unknown>;
  branch?: string;
  detail?: Record<string, unknown>;
  usage?: TokenUsage;
  /**
   * A failure the node's On error setting handled ("continue" or "branch"): the step counts as
   * succeeded for scheduling, and the trace keeps the error. Also copied into `detail.error`.
   */
  error?: ErrorInfo;
}

export interface StepFailure extends StepKey {
  input?: unknown;
  error: ErrorInfo;
  detail?: Record<string, unknown>;
  usage?: TokenUsage;
}

export interface StepStore {
  /** Every step already recorded for this run (used to resume after a crash). */
  loadSteps(): Promise<StepRecord[]>;
  /** Writes (or re-opens) the step as running before the node executes; returns the attempt number. */
  beginStep(step: StepBegin): Promise<{ attempt: number }>;
  completeStep(step: StepSuccess): Promise<void>;
  failStep(step: StepFailure): Promise<void>;
  skipStep(step: StepSkip): Promise<void>;
  /**
   * The step waits for something outside the run: the step row becomes `waiting` and its wait is
   * recorded as pending, in one fenced write.
   */
  waitStep(step: StepWait): Promise<void>;
}

export type RunStatusValue = "queued" | "running" | "waiting" | "succeeded" | "failed" | "cancelled";

export type RunEvent =
  | {
      type: "step";
      nodeId: string;
      iteration: number;
      status: StepStatus;
      output?: Record<string, unknown> | null;
      branch?: string | null;
      error?: ErrorInfo | null;
      usage?: TokenUsage;
      /** The attempt this event belongs to, when the node is being retried. */
      attempt?: number;
      /** On `waiting`: what the step waits for. */
      wait?: { kind: WaitRequest["kind"]; request: Record<string, unknown> };
      /** The node did not execute: it is disabled (`skipped`) or its pinned output was used (`succeeded`). */
      origin?: StepOrigin;
      at: string;
    }
  | {
      type: "delta";
      nodeId: string;
      iteration: number;
      text: string;
      /** Byte offset of `text` in the step's partial output (set by the publisher), to drop duplicates after a snapshot. */
      offset?: number;
    }
  | {
      type: "run";
      status: RunStatusValue;
      output?: Record<string, unknown> | null;
      error?: ErrorInfo | null;
      /** On `queued`: the run waits for a limit (provider rate, workflow concurrency) until about `until`. */
      throttled?: { reason: string; until: string };
      /** On a chat turn's end: its answer as just stored (lib/chat/finish-turn.ts), so the chat's stream reads nothing. */
      message?: StoredChatMessage;
      at: string;
    };

/** A chat answer as stored (the `messages` row the chat shows). */
export interface StoredChatMessage {
  id: string;
  content: string;
  status: string;
  citations: unknown;
}

export interface RunEventSink {
  publish(event: RunEvent): void;
}

export type RunOutcome =
  | { status: "succeeded"; output: Record<string, unknown>; usage: TokenUsage }
  | { status: "failed"; error: ErrorInfo; usage: TokenUsage }
  | { status: "cancelled"; usage: TokenUsage }
  /** Nothing left to do until a wait is resolved; the caller releases the run (no worker holds it). */
  | { status: "waiting"; usage: TokenUsage };
