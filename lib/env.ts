import "dotenv/config";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { parseOperatorStdioServers } from "@/lib/tools/mcp/operator-schema";
import { parseAddressRange } from "@/lib/auth/client-address";

/**
 * The only module that reads process.env. Validated once, at first use, with messages that
 * say which variable is wrong.
 */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url().default("postgresql://postgres@127.0.0.1:5432/weft"),
  /** The application_name of this process's database connections (pg_stat_activity), e.g. weft-web / weft-worker; the URL's own parameter wins. */
  WEFT_DB_APPLICATION_NAME: z.string().min(1).max(63).default("weft"),
  /** Hot statements as prepared statements (lib/db/prepared.ts); "off" for a pooler that cannot keep them. */
  WEFT_DB_PREPARED_STATEMENTS: z
    .enum(["on", "off"])
    .default("on")
    .transform((v) => v === "on"),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  /** Prefix for every Redis key and channel, so test suites and instances can share one Redis. */
  WEFT_REDIS_PREFIX: z.string().default("weft"),
  /**
   * Keys for secrets at rest: "id:base64key[,id:base64key...]"; the first one encrypts, all decrypt.
   * Each key is 32 random bytes in base64 (openssl rand -base64 32).
   */
  WEFT_SECRET_KEYS: z.string().min(1, "WEFT_SECRET_KEYS is required (see README: Configuration)"),
  BETTER_AUTH_SECRET: z.string().min(16, "BETTER_AUTH_SECRET must be at least 16 characters"),
  BETTER_AUTH_URL: z.string().url().default("http://localhost:3000"),
  /**
   * Let every workspace's outbound requests (HTTP nodes, tools, MCP, model providers) reach loopback/private
   * addresses (development and tests only; warned about at start-up). Workspaces allow single hosts in Settings → Network.
   */
  WEFT_ALLOW_PRIVATE_NETWORK: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** Runs one worker process executes at once. Runs mostly wait on models, tools and the database, so many fit in one process. */
  WEFT_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(32),
  /** Sandbox processes (Code nodes, code tools) each worker keeps running; one per core by default. */
  WEFT_SANDBOX_PROCESSES: z.coerce.number().int().min(1).max(256).default(() => os.availableParallelism()),
  /** Code jobs one sandbox process runs at once, each in its own isolate on its own thread. */
  WEFT_SANDBOX_JOBS_PER_PROCESS: z.coerce.number().int().min(1).max(256).default(16),
  /** Code jobs that may wait for a free sandbox slot; past it, new ones fail at once (retryable). */
  WEFT_SANDBOX_QUEUE: z.coerce.number().int().min(0).max(100_000).default(1_000),
  /** BullMQ job lock: a worker that stops renewing it for this long loses the run to another worker. */
  WEFT_WORKER_LOCK_MS: z.coerce.number().int().min(500).default(5_000),
  /** How often BullMQ looks for runs whose worker stopped renewing its lock. */
  WEFT_WORKER_STALLED_MS: z.coerce.number().int().min(200).default(3_000),
  /** On SIGTERM, how long in-flight steps may take to finish before their runs are handed to another worker. */
  WEFT_WORKER_DRAIN_MS: z.coerce.number().int().min(0).default(25_000),
  /** How often the reconciler re-enqueues runs PostgreSQL has but Redis lost. */
  WEFT_RECONCILE_EVERY_MS: z.coerce.number().int().min(100).default(30_000),
  /** The reconciler leaves alone runs younger than this (their enqueue may still be on its way). */
  WEFT_RECONCILE_MIN_AGE_MS: z.coerce.number().int().min(0).default(2_000),
  /** How often workers resolve approvals and questions past their timeout. */
  WEFT_WAIT_SWEEP_MS: z.coerce.number().int().min(100).default(5_000),
  /** An MCP server (stdio process or HTTP session) is closed after this long without tool calls. */
  WEFT_MCP_IDLE_MS: z.coerce.number().int().min(100).default(300_000),
  /** How long one MCP tool call may take (the step's own timeout still applies). */
  WEFT_MCP_CALL_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
  /**
   * stdio MCP servers workspaces may pick (JSON list of { id, label, command, args, env, allowedEnv });
   * empty = stdio servers are off. Validated here so a bad list stops the process at boot.
   */
  WEFT_MCP_STDIO_SERVERS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text?.trim()) return [];
      try {
        return parseOperatorStdioServers(text, "WEFT_MCP_STDIO_SERVERS");
      } catch (error) {
        ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
        return z.NEVER;
      }
    }),
  /** A JSON file with more of the same list (read when MCP servers are first used). */
  WEFT_MCP_STDIO_CONFIG: z.string().trim().min(1).optional(),
  /** Each stdio MCP source runs in its own directory (mode 0700) under this one. */
  WEFT_MCP_STDIO_DIR: z
    .string()
    .default(path.join(os.tmpdir(), "weft-mcp"))
    .refine((dir) => path.isAbsolute(dir), "WEFT_MCP_STDIO_DIR must be an absolute path"),
  /** Who may create an account: anyone (open), invited emails (invite), nobody (closed). The very first account is always allowed. */
  WEFT_SIGNUP: z.enum(["open", "invite", "closed"]).default("invite"),
  /**
   * Reverse proxies (IPs or CIDR ranges, comma-separated) whose X-Forwarded-For entries are
   * believed; the client address is the right-most entry outside this list (lib/auth/client-address.ts).
   */
  WEFT_TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((value) => value.split(",").map((entry) => entry.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine(isIpOrCidr, "each entry must be an IP address or CIDR range, e.g. 10.0.0.0/8"))),
  /** Rate limits and the account lockout on sign-in and sign-up (lib/auth/sign-in-guard.ts); on unless set to false. */
  WEFT_AUTH_RATE_LIMIT: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  /** Benchmarks only: count SQL statements and Redis commands and write them here (lib/metrics/io-counters.ts). */
  WEFT_BENCH_COUNTERS_DIR: z.string().trim().min(1).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = z.infer<typeof EnvSchema>;

/** Strict IP or CIDR (lib/auth/client-address.ts is the one parser, so validation and use agree). */
function isIpOrCidr(value: string): boolean {
  return parseAddressRange(value) !== null;
}

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

/** The private-network switch alone, readable without the secrets (the web app's start-up warning runs before anything needs them). */
export function allowPrivateNetwork(): boolean {
  const parsed = EnvSchema.shape.WEFT_ALLOW_PRIVATE_NETWORK.safeParse(process.env.WEFT_ALLOW_PRIVATE_NETWORK);
  return parsed.success ? parsed.data : false;
}

/** The log level alone, readable without the secrets (the logger is created at import, also during `next build`). */
export function logLevel(): Env["LOG_LEVEL"] {
  const parsed = EnvSchema.shape.LOG_LEVEL.safeParse(process.env.LOG_LEVEL);
  return parsed.success ? parsed.data : "info";
}
