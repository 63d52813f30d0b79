/**
 * Every limit the engine enforces, as data, so each is enforced once and tested.
 * Changing a number here changes behaviour everywhere (the editor shows the same values).
 */
export const LIMITS = {
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
  /** A step that runs longer than this fails with `timeout`. */
  stepTimeoutMs: 10 * 60_000,
} as const;

export type Limits = { readonly [K in keyof typeof LIMITS]: number };
