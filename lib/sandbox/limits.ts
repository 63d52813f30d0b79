/** Limits of the sandbox, as data. Isomorphic: the Code node's settings in the editor read them too. */
export const SANDBOX_LIMITS = {
  defaultTimeoutMs: 1_000,
  maxTimeoutMs: 30_000,
  defaultMemoryMb: 64,
  minMemoryMb: 8,
  maxMemoryMb: 256,
  maxLogLines: 100,
  maxLogChars: 10_000,
  /** Largest result a job may ask for (UTF-8 JSON bytes); callers ask for less. */
  maxOutputBytes: 1024 * 1024,
  /**
   * Longest reply line the parent reads before giving up on the child: the result and logs as JSON
   * text inside JSON, where escaping can multiply a character by six.
   */
  maxReplyLineBytes: 6 * (1024 * 1024 + 10_000) + 64 * 1024,
  /** Longest error message kept from a child. */
  maxMessageChars: 10_000,
  /** How long a new child may take to say it is ready. */
  startTimeoutMs: 15_000,
  /** Wall-clock slack past the CPU budget before the parent kills the child outright. */
  hardKillGraceMs: 2_000,
} as const;
