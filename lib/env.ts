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
/** An unset or blank variable is absent (compose files often set `VAR=`). */
const optionalText = z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), z.string().trim().optional());
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });

/** OTEL_EXPORTER_OTLP_HEADERS: `key=value` pairs separated by commas (W3C baggage format, values URL-encoded). */
function isOtlpHeaderList(text: string): boolean {
  return text.split(",").every((entry) => /^\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=.*$/.test(entry));
}

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
  /**
   * The length of the "minute" of model providers' requests- and tokens-per-minute limits (lib/limits).
   * 60000 in production; tests shorten it so a limit's window passes quickly.
   */
  WEFT_RATE_WINDOW_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  /** How long a model provider's concurrent-call slot outlives a worker that died holding it (renewed while the call runs). */
  WEFT_PROVIDER_SLOT_TTL_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** How often workers resolve approvals and questions past their timeout. */
  WEFT_WAIT_SWEEP_MS: z.coerce.number().int().min(100).default(5_000),
  /** Largest body a webhook (POST /api/hooks/{id}) accepts; larger ones get 413 before being read in full. */
  WEFT_WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(64 * 1024 * 1024).default(1_048_576),
  /** Calls one webhook accepts per WEFT_RATE_WINDOW_MS (all callers together); more get 429 with Retry-After. */
  WEFT_WEBHOOK_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** Webhook calls one client address may make per WEFT_RATE_WINDOW_MS, whatever the hook (unknown ids count too). */
  WEFT_WEBHOOK_IP_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** A schedule fire delivered later than this after its time counts as missed: its misfire policy decides (run_once or skip). */
  WEFT_SCHEDULE_MISFIRE_GRACE_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** Directory of the filesystem store for uploaded knowledge documents (lib/storage). */
  WEFT_STORAGE_DIR: z.string().min(1).default("./.data/storage"),
  /** Knowledge documents one worker process ingests at once (parsing and embedding; runs are never blocked by it). */
  /** Largest OpenAPI document an import accepts (upload, paste or URL), in bytes. GitHub's own description is 13 MB. */
  WEFT_OPENAPI_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
  WEFT_KNOWLEDGE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Lock of an ingestion job: a worker that stops renewing it this long (crash) loses the document to another worker. Long, as parsing a big file can hold the event loop. */
  WEFT_KNOWLEDGE_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  /** Texts sent to the embedding model in one request. */
  WEFT_EMBEDDING_BATCH_SIZE: z.coerce.number().int().min(1).max(2048).default(64),
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
  /**
   * Outgoing mail (invitations): an SMTP URL for nodemailer, e.g. smtps://user:pass@smtp.example.com:465
   * or smtp://relay:25. Unset = no mail; invitation links are only shown to copy.
   */
  WEFT_SMTP_URL: z
    .string()
    .trim()
    .optional()
    .transform((value) => value || undefined)
    .pipe(z.url({ protocol: /^smtps?$/, error: "WEFT_SMTP_URL must be an smtp:// or smtps:// URL" }).optional()),
  /** The From address of that mail, e.g. "Weft <weft@example.com>"; required with WEFT_SMTP_URL. */
  WEFT_MAIL_FROM: z.string().trim().min(3).optional(),
  /** Benchmarks only: count SQL statements and Redis commands and write them here (lib/metrics/io-counters.ts). */
  WEFT_BENCH_COUNTERS_DIR: z.string().trim().min(1).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * OpenTelemetry (lib/telemetry): workers export finished runs as traces to this OTLP/HTTP endpoint
   * (`/v1/traces` is appended, as the OTel spec says); unset = off. The exporter reads these
   * variables itself; they are validated here so a typo stops the worker at boot.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.pipe(httpUrl.optional()),
  /** The traces endpoint in full (used as given, nothing appended); wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalText.pipe(httpUrl.optional()),
  /** Headers for every export, `key=value,key2=value2` with URL-encoded values (e.g. an API key of the tracing backend; never logged). */
  OTEL_EXPORTER_OTLP_HEADERS: optionalText.pipe(z.string().refine(isOtlpHeaderList, "expected key=value pairs separated by commas, e.g. x-api-key=abc,x-team=ops").optional()),
  /** service.name of the exported spans (else service.name in OTEL_RESOURCE_ATTRIBUTES, else weft-worker). */
  OTEL_SERVICE_NAME: optionalText.pipe(z.string().max(255).optional()),
  /** Batch span processor (names from the OTel spec): how often queued spans are sent, in ms. */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(1).max(600_000).default(5_000),
  /** Spans held while the backend is slow or down; past it new spans are dropped (runs never wait for telemetry). */
  OTEL_BSP_MAX_QUEUE_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(2_048),
  /** Spans per export request (at most the queue size). */
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(512),
  /** How long one export may take before it is abandoned, in ms. */
  OTEL_BSP_EXPORT_TIMEOUT: z.coerce.number().int().min(1).max(600_000).default(30_000),
}).superRefine((config, ctx) => {
  if (config.WEFT_SMTP_URL && !config.WEFT_MAIL_FROM) {
    ctx.addIssue({ code: "custom", path: ["WEFT_MAIL_FROM"], message: "WEFT_MAIL_FROM is required with WEFT_SMTP_URL (the From address of invitation mail)" });
  }
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
