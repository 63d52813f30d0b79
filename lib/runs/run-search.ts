import { z } from "zod";
import { MAX_INT32 } from "@/lib/engine/limits";
import { RunTriggerSchema } from "./initiator";

/**
 * The run search: one zod schema for the runs page's query string and the public API's
 * GET /api/v1/runs, and the SQL it becomes. Every value reaches PostgreSQL as a parameter.
 *
 * Text search runs on `runs."searchText"`, a STORED generated tsvector over the string and number
 * values of inputs, output and error (never the JSON keys), with the `simple` configuration (no
 * stemming, no stop words: names, ids and codes match as typed) and web-search syntax ("quoted
 * phrase", or, -excluded). A run id typed in full matches that run as well. A document over 32 KB
 * is indexed by its first 32 K characters of JSON text (see the migration run_initiator_and_search).
 * A chat turn's run is indexed without the conversation's `history` input: each earlier message is
 * found in its own turn (migration run_search_without_chat_history).
 */

export const RUN_STATUSES = ["queued", "running", "waiting", "succeeded", "failed", "cancelled"] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `2026-01-31` (a whole UTC day) or a full ISO date-time. */
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** JavaScript rolls 2026-02-30 over to March; PostgreSQL refuses it. */
const realDay = (text: string) => !Number.isNaN(Date.parse(text)) && new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) === text;
const DateBound = z
  .string()
  .trim()
  .refine((text) => (DAY.test(text) ? realDay(text) : z.iso.datetime({ offset: true }).safeParse(text).success && !Number.isNaN(Date.parse(text))), {
    message: "Use a date (2026-01-31) or an ISO date-time (2026-01-31T12:00:00Z).",
  });

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "An id has only letters, digits, '-' and '_'.");
const Amount = z.coerce.number().min(0).max(1e12);
const Millis = z.coerce.number().int().min(0).max(MAX_INT32 * 1000);
/** Empty query-string values (`?status=`) mean "no filter", as a cleared form control sends them. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

export const RunFiltersSchema = z.object({
  q: optional(
    z
      .string()
      .trim()
      .min(1)
      .max(200)
      // PostgreSQL text cannot hold NUL, and a lone surrogate is not text.
      .refine((text) => !text.includes("\u0000") && text.isWellFormed(), "The search text must not contain NUL characters or lone surrogates."),
  ).describe("Words or \"phrases\" in the inputs, output or error; or a run id"),
  workflowId: optional(Id).describe("Runs of this workflow"),
  version: optional(z.union([z.literal("draft"), z.coerce.number().int().min(1).max(MAX_INT32)])).describe(
    "A published version number, or `draft` for editor runs of the draft",
  ),
  status: optional(z.enum(RUN_STATUSES)).describe("Runs with this status"),
  initiator: optional(
    z.string().regex(/^(user|key|webhook|schedule):[A-Za-z0-9_-]{1,64}$/, "Use user:<member id>, key:<API key id>, webhook:<webhook id> or schedule:<schedule id>."),
  ).describe("user:<member id> (runs they started themselves), key:<API key id>, webhook:<webhook id> or schedule:<schedule id>"),
  trigger: optional(RunTriggerSchema).describe("What started the run"),
  from: optional(DateBound).describe("Created at or after (a date is the start of that UTC day)"),
  to: optional(DateBound).describe("Created at or before (a date is the end of that UTC day)"),
  minDurationMs: optional(Millis).describe("Finished runs that took at least this long (start to finish)"),
  maxDurationMs: optional(Millis).describe("Finished runs that took at most this long"),
  minCost: optional(Amount).describe("In `currency`; a run without a priced model costs 0"),
  maxCost: optional(Amount).describe("In `currency`"),
  currency: optional(z.string().regex(/^[A-Z]{3}$/, "A three-letter currency code such as USD.")).describe("Currency of minCost/maxCost (USD when omitted)"),
});
export type RunFilters = z.infer<typeof RunFiltersSchema>;

/** The filters plus a keyset page (createdAt desc, id desc). */
export const ListRunsQuerySchema = RunFiltersSchema.extend({
  cursor: z.string().min(1).max(512).optional().describe("`nextCursor` of the previous page"),
  limit: z.coerce.number().int().min(1).max(100).default(25).describe("Runs per page (1–100, default 25)"),
});
export type ListRunsQuery = z.input<typeof ListRunsQuerySchema>;

/** The keys of RunFiltersSchema: the page's query string carries exactly these. */
export const RUN_FILTER_KEYS = Object.keys(RunFiltersSchema.shape) as (keyof RunFilters)[];

export const isRunId = (text: string) => UUID.test(text);

/** Whether any filter is set (pagination keys aside). */
export const hasFilters = (filters: RunFilters) => RUN_FILTER_KEYS.some((key) => filters[key] !== undefined);

/** UTC wall-clock text for the `timestamp(3)` columns (they hold UTC, Prisma's convention). */
const utc = (date: Date) => date.toISOString().slice(0, 23).replace("T", " ");

function bound(text: string, end: "start" | "end"): string {
  if (!DAY.test(text)) return utc(new Date(text));
  return end === "start" ? `${text} 00:00:00.000` : `${text} 23:59:59.999`;
}

/**
 * The WHERE clause (over `runs r` joined with `workflow_versions v`) for the workspace and the
 * filters, with its parameters. `after` continues a keyset page (createdAt desc, id desc).
 */
export function runFilterSql(workspaceId: string, filters: RunFilters, after?: { createdAt: Date; id: string } | null): { where: string; params: unknown[] } {
  const params: unknown[] = [workspaceId];
  const clauses = [`r."workspaceId" = $1`];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const duration = `EXTRACT(EPOCH FROM (r."finishedAt" - r."startedAt")) * 1000`;
  const cost = () => `COALESCE((r.cost ->> ${param(filters.currency ?? "USD")})::numeric, 0)`;

  if (filters.q) {
    const text = `r."searchText" @@ websearch_to_tsquery('simple', ${param(filters.q)})`;
    clauses.push(isRunId(filters.q) ? `(r.id = ${param(filters.q.toLowerCase())} OR ${text})` : text);
  }
  if (filters.workflowId) clauses.push(`r."workflowId" = ${param(filters.workflowId)}`);
  if (filters.version === "draft") clauses.push(`r."workflowVersionId" IS NULL`);
  else if (filters.version !== undefined) clauses.push(`v.version = ${param(filters.version)}`);
  if (filters.status) clauses.push(`r.status = ${param(filters.status)}::"RunStatus"`);
  if (filters.initiator) {
    const [kind, id] = [filters.initiator.slice(0, filters.initiator.indexOf(":")), filters.initiator.slice(filters.initiator.indexOf(":") + 1)];
    // A member's own runs: those started through one of their API keys, webhooks or schedules are the key's, webhook's or schedule's.
    if (kind === "key") clauses.push(`r."apiKeyId" = ${param(id)}`);
    else if (kind === "webhook" || kind === "schedule") clauses.push(`(r."triggerRefId" = ${param(id)} AND r.trigger = ${param(kind)})`);
    else clauses.push(`(r."createdById" = ${param(id)} AND r."apiKeyId" IS NULL AND r."triggerRefId" IS NULL)`);
  }
  if (filters.trigger) clauses.push(`r.trigger = ${param(filters.trigger)}`);
  if (filters.from) clauses.push(`r."createdAt" >= ${param(bound(filters.from, "start"))}::timestamp`);
  if (filters.to) clauses.push(`r."createdAt" <= ${param(bound(filters.to, "end"))}::timestamp`);
  if (filters.minDurationMs !== undefined) clauses.push(`${duration} >= ${param(filters.minDurationMs)}`);
  if (filters.maxDurationMs !== undefined) clauses.push(`${duration} <= ${param(filters.maxDurationMs)}`);
  if (filters.minCost !== undefined) clauses.push(`${cost()} >= ${param(filters.minCost)}`);
  if (filters.maxCost !== undefined) clauses.push(`${cost()} <= ${param(filters.maxCost)}`);
  if (after) clauses.push(`(r."createdAt", r.id) < (${param(utc(after.createdAt))}::timestamp, ${param(after.id)})`);
  return { where: clauses.join(" AND "), params };
}

/**
 * The filters in a page's query string. A bad value drops only that filter (named in `invalid`)
 * rather than the page, so a hand-edited link still shows runs.
 */
export function filtersFromSearchParams(params: Record<string, string | string[] | undefined>): { filters: RunFilters; invalid: (keyof RunFilters)[] } {
  const filters: Record<string, unknown> = {};
  const invalid: (keyof RunFilters)[] = [];
  for (const key of RUN_FILTER_KEYS) {
    const raw = params[key];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) continue;
    const parsed = RunFiltersSchema.shape[key].safeParse(value);
    if (parsed.success) filters[key] = parsed.data;
    else invalid.push(key);
  }
  return { filters: filters as RunFilters, invalid };
}
