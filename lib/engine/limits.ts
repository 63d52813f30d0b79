/**
 * Every limit the engine enforces, as data, so each is enforced once and tested.
 * Changing a number here changes behaviour everywhere (the editor shows the same values).
 */
export const LIMITS = {
  /** Nodes of one workflow graph (the editor warns from 90 % of it and refuses to add beyond it). */
  maxGraphNodes: 5_000,
  /** Edges of one workflow graph. */
  maxGraphEdges: 20_000,
  /** Steps a single run may execute, counting reused (resumed) ones. */
  maxStepsPerRun: 1_000,
  /** Nodes of one run executing at the same time. */
  maxConcurrency: 4,
  /** Size of one step's output, as UTF-8 JSON. */
  maxStepOutputBytes: 1024 * 1024,
  /** Wall-clock time one template render may take (LiquidJS renderLimit, ms). */
  templateRenderLimitMs: 2_000,
  /** Allocation budget of one template render (LiquidJS memoryLimit, roughly characters/items created). */
  templateMemoryLimit: 20_000_000,
  /** Characters one rendered template may produce. */
  templateOutputChars: 1_000_000,
  /** Characters of template source parsed at once (LiquidJS parseLimit). */
  templateParseChars: 1_000_000,
  /** A step that runs longer than this fails with `timeout` (default of a node's Timeout setting). */
  stepTimeoutMs: 10 * 60_000,
  /** Bounds of a node's own Timeout setting. */
  minStepTimeoutMs: 1_000,
  maxStepTimeoutMs: 60 * 60_000,
  /** Attempts a node's Retry setting may ask for (1 = no retry). */
  maxRetryAttempts: 10,
  /** Longest wait between two attempts, whatever the backoff or a provider's Retry-After says. */
  maxRetryDelayMs: 10 * 60_000,
  /** Nesting of sub-workflow runs: a top-level run is depth 0, its child 1, … (deeper → limit_exceeded). */
  maxSubworkflowDepth: 5,
  /** Wall-clock time one JSONata expression may take (ms). */
  expressionTimeoutMs: 1_000,
  /** Nesting depth of one expression evaluation (JSONata stack guard; stops runaway recursion). */
  expressionMaxDepth: 300,
  /** Nesting of one expression's text and syntax tree (brackets, calls, operator chains); deeper is a validation error. */
  expressionMaxNesting: 120,
  /** Characters of one regular expression in an expression. */
  expressionRegexChars: 1_000,
  /**
   * Work one regular-expression search may do: RE2 program size × characters searched. RE2 is
   * linear but a search cannot be interrupted; about 30 ns per unit here, so ≈ 0.3 s at most.
   */
  expressionRegexWork: 10_000_000,
  /** Items of one list an expression may build. */
  expressionMaxSequence: 1_000_000,
  /** Size of an expression's result (UTF-8 JSON bytes) and of any intermediate string or list. */
  expressionOutputBytes: 1024 * 1024,
  /** Items one Loop may iterate over; a longer list fails the loop with `limit_exceeded`. */
  maxLoopItems: 1_000,
  /** Upper bound of a Loop's Parallelism setting. */
  maxLoopParallelism: 10,
  /** Wall-clock time from the run's start (across resumes) after which it fails with `timeout`. */
  maxRunDurationMs: 2 * 60 * 60_000,
  /** Model turns one Agent step may take: the upper bound of its Max iterations setting. */
  maxAgentIterations: 25,
  /** Tools one Agent node may offer the model. */
  maxAgentTools: 32,
  /** Tool calls of one agent turn that run at the same time (the rest wait for a free slot). */
  agentToolConcurrency: 4,
  /** Characters of one tool result handed back to the model (and kept in the trace); longer results are cut. */
  maxToolResultChars: 20_000,
  /**
   * How long an Agent holds its step open for a person to approve a call of a tool that requires it
   * (the worker stays busy meanwhile); then the call is refused as not approved. The step's own timeout also applies.
   */
  agentApprovalTimeoutMs: 15 * 60_000,
  /**
   * Nesting of a JSON request body (objects and arrays). Real bodies (a graph with its node data, a
   * workflow file) stay under 20 levels; deeper ones are refused before anything walks them recursively.
   */
  maxRequestJsonDepth: 64,
} as const;

/**
 * The largest revision or version number: they are PostgreSQL `integer` columns, so a bigger number
 * in a request is refused by its schema (400) instead of failing in the database (500).
 */
export const MAX_INT32 = 2_147_483_647;

export type Limits = { readonly [K in keyof typeof LIMITS]: number };
