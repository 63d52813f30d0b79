import type { z } from "zod";
import type { EngineServices } from "./ports";
import type { TokenUsage } from "./usage";
import type { WorkflowVariable } from "./variables";

/** Types a node output field or a Start input can have; used by the variable picker and the validator. */
export const VALUE_TYPES = ["string", "number", "boolean", "object", "array", "any"] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export interface OutputField {
  name: string;
  type: ValueType;
  description?: string;
}

export interface HandleSpec {
  id: string;
  label: string;
}

export const NODE_CATEGORIES = ["basic", "ai", "logic"] as const;
export type NodeCategory = (typeof NODE_CATEGORIES)[number];

/**
 * Everything about a node type that both the editor and the engine need.
 * Isomorphic: no server or browser imports. One per folder in lib/nodes/<type>/definition.ts.
 */
// Methods (not function properties) so a NodeDefinition<SomeConfig> is usable where the
// registry holds definitions of erased config type; the engine always parses config first.
export interface NodeDefinition<Config = unknown> {
  type: string;
  label: string;
  description: string;
  category: NodeCategory;
  /** Accent colour of the node on the canvas (Tailwind-independent hex). */
  color: string;
  configSchema: z.ZodType<Config>;
  defaultConfig(): Config;
  /** Start nodes take no inbound edge. */
  hasInput: boolean;
  /** End nodes have no outbound edge; their output becomes the run output. */
  role?: "start" | "end";
  /**
   * Whether the node offers the per-node Settings (timeout, retry, on error). Defaults to true
   * for every node without a role (Start and End never do); set false for nodes that cannot
   * fail in a useful way (notes, pure layout).
   */
  supportsErrorPolicy?: boolean;
  /**
   * Deterministic, quick and without side effects (Template, Condition…): the step may be recorded
   * lazily, in a batch with its neighbours (lib/runs/step-store.ts), since computing it again after
   * a crash is harmless. Such a node never waits or calls out; the one that streams (Answer) streams
   * only its own rendered text, which a second run repeats word for word. Defaults to false.
   */
  pure?: boolean;
  /**
   * Without side effects and never waiting or streaming, but not always quick (the Code node: a
   * sandbox with no network, files or environment). Recorded like a pure step when it ends within
   * a few milliseconds; a step still going after that gets its `running` row (and live status) then
   * (lib/runs/step-store.ts, lazy). Defaults to false.
   */
  sideEffectFree?: boolean;
  /**
   * Its references may name nodes on branches that were not taken, on purpose (the Variable
   * aggregator picks the first that ran): the validator does not warn about those reads.
   */
  readsOptionalBranches?: boolean;
  /**
   * false for canvas-only nodes (notes): the engine drops them before scheduling and the
   * validator leaves them out of its connectivity rules. Defaults to true.
   */
  executable?: boolean;
  outputHandles(config: Config): HandleSpec[];
  /** Fields this node publishes under its id, referable as {{ <nodeId>.<field> }}. */
  outputFields(config: Config): OutputField[];
  /** Every template string in the config, so references can be checked against upstream outputs. */
  templates(config: Config): string[];
  /** Plain variable paths (not templates) the config reads, such as a condition's left operand. */
  references?(config: Config): string[];
  /**
   * Config fields that need a value of some type: the validator checks the declared type of the
   * referenced output (`outputFields`, workflow variables, Start inputs) and reports a mismatch.
   */
  typedReferences?(config: Config): TypedReference[];
  /** JSONata expressions in the config (expression.ts), checked for syntax and references like templates. */
  expressions?(config: Config): string[];
  /** Extra checks beyond the zod schema, with messages a user understands. */
  check?(config: Config): string[];
  /**
   * A container (Loop): nodes whose `parentId` is this node form its body, which the engine
   * runs once per item of the list the executor returns (`output.items`).
   */
  container?: ContainerSpec<Config>;
  /**
   * The node's output is the new values of workflow variables (Variable assign): the engine
   * overlays it on `var` for later steps (see variables.ts).
   */
  assignsVariables?: boolean;
  /** The workflow this node runs as a child (Sub-workflow), so the validator can refuse a direct self-call. */
  callsWorkflow?(config: Config): string | undefined;
}

/** How the engine runs a container's body; see NodeDefinition.container. */
export interface ContainerSpec<Config> {
  /** Fields the body reads under the container's id while it runs an item (`{{ loop.item }}`). */
  bodyFields(config: Config): OutputField[];
  plan(config: Config): ContainerPlan;
}

export interface ContainerPlan {
  /** Items whose body runs at the same time (a waiting item keeps its place). */
  parallelism: number;
  /** JSONata expression evaluated in the item's scope after each item; true stops the loop after it. */
  breakCondition?: string;
  /** Path in the item's scope collected as the item's result (`fetch.body`); absent: every body node's output. */
  collect?: string;
  /** A failed item fails the loop, or counts as null, or is left out of the results. */
  onItemError: "fail" | "continue" | "skip";
}

/** A config field that reads a reference and needs a value of some type (see NodeDefinition.typedReferences). */
export interface TypedReference {
  /** A variable path or a template that is exactly one bare reference (`{{ a.b }}`); anything else is not checked. */
  path: string;
  /** The types the field accepts, or "the declared type of this other path" (a variable being assigned). */
  expects: readonly ValueType[] | { sameAs: string };
  /** The field, for the message: `the left side of "greater than"`. */
  what: string;
}

/** What a node sees while it executes. Ports (services) keep the engine free of I/O imports. */
export interface NodeContext<Config> {
  runId: string;
  nodeId: string;
  iteration: number;
  /** Stable per (run, node, iteration); sent as Idempotency-Key by side-effecting nodes. */
  idempotencyKey: string;
  config: Config;
  /** The run's Start inputs. */
  inputs: Record<string, unknown>;
  /** The workflow variables declared on the graph (their current values are `scope.var`). */
  variables?: readonly WorkflowVariable[];
  /** Outputs of every node finished so far, by node id (plus `input`). */
  scope: Record<string, unknown>;
  render: (template: string) => Promise<string>;
  resolvePath: (path: string) => unknown;
  signal: AbortSignal;
  services: EngineServices;
  /** Streams a piece of partial output (LLM tokens) to live watchers. */
  emitDelta: (text: string) => void;
  /**
   * Set when this step is executed again after the wait it returned was resolved (answered,
   * timed out, cancelled): the executor turns the resolution into a NodeResult.
   */
  resume?: WaitResolution;
}

export interface NodeResult {
  output: Record<string, unknown>;
  /** The outbound handle taken; undefined means every handle is active. */
  branch?: string;
  /** The resolved input the node worked on, shown in the run trace. */
  input?: unknown;
  /** Node-specific trace (LLM messages, response, model). */
  detail?: Record<string, unknown>;
  usage?: TokenUsage;
}

/** What a node asks for when it has to wait for something outside the run (a person, a child run). */
export interface WaitRequest {
  kind: "approval" | "question" | "subworkflow";
  /** What the person is asked (the node type owns the shape); stored on the run_waits row. */
  request: Record<string, unknown>;
  /** ISO time after which the wait resolves as `timed_out` (absent: never). */
  timeoutAt?: string;
  childRunId?: string;
}

/** How a wait ended, handed to the executor as `ctx.resume` when the step runs again. */
export interface WaitResolution {
  status: "answered" | "timed_out" | "cancelled";
  response: unknown;
  answeredBy?: string | null;
  /** ISO time of the resolution. */
  at: string;
}

/**
 * Returned instead of a NodeResult when the node cannot finish now: the step becomes `waiting`,
 * the run goes on with other branches and then releases its worker. The step is executed again
 * (with `ctx.resume`) once the wait is resolved.
 */
export interface NodeWait {
  wait: WaitRequest;
  input?: unknown;
  detail?: Record<string, unknown>;
}

export const isNodeWait = (result: NodeResult | NodeWait): result is NodeWait => "wait" in result && !("output" in result);

/**
 * A node's server-side work. Most nodes always finish (`NodeResult`, the default); a node that
 * can wait declares `NodeExecutor<Config, NodeResult | NodeWait>` (alias `WaitingNodeExecutor`),
 * so callers of the others (and their tests) keep a plain NodeResult. The engine and the executor
 * registry hold `AnyNodeExecutor`, which accepts both.
 */
export type NodeExecutor<Config, Result extends NodeResult | NodeWait = NodeResult> = (ctx: NodeContext<Config>) => Promise<Result>;
export type WaitingNodeExecutor<Config> = NodeExecutor<Config, NodeResult | NodeWait>;
export type AnyNodeExecutor = NodeExecutor<unknown, NodeResult | NodeWait>;

export type AnyNodeDefinition = NodeDefinition<unknown>;

/** Helper that keeps the config type inferred from the schema. */
export function defineNode<S extends z.ZodType>(def: NodeDefinition<z.infer<S>> & { configSchema: S }): NodeDefinition<z.infer<S>> {
  return def;
}
