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
  /**
   * Wall-clock slack past a job's time limit before the child disposes of the job's isolate itself
   * (the isolate's own timeout normally fires first; this also covers compiling and waiting for a thread).
   */
  childDeadlineGraceMs: 1_000,
  /**
   * Wall-clock slack past a job's time limit before the parent gives up on the child: a child that
   * has not answered by then broke its own deadline and is killed with every job it holds.
   */
  hardKillGraceMs: 3_000,
  /** How long a child may take to answer a job the parent cancelled before it is killed. */
  cancelGraceMs: 2_000,
  /** Default number of Code jobs one sandbox process runs at once (each in its own isolate and thread). */
  defaultJobsPerProcess: 16,
  /** Default number of jobs that may wait for a free slot; past it new jobs are refused. */
  defaultQueueLimit: 1_000,
  /** Brand-new isolates (context and runner in place) a child keeps prepared for a workspace's first job. */
  warmIsolatesPerProcess: 2,
  /** Used isolates a child keeps for later jobs of the same workspace (each serves one job at a time). */
  idleIsolatesPerProcess: 16,
  /** A replacement process that keeps failing to start is retried after at most this long. */
  maxRestartDelayMs: 5_000,
} as const;
