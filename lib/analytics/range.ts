import { z } from "zod";

/**
 * The date range of the Overview: a preset (the last 7, 30 or 90 days, today included) or a custom
 * pair of dates, both inclusive. Days are UTC calendar days: a run belongs to the UTC day its
 * `createdAt` falls on. Isomorphic, so the range picker and the server read the URL the same way.
 */

export const ANALYTICS_TIME_ZONE = "UTC";
export const RANGE_PRESETS = ["7d", "30d", "90d"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
/** A custom range longer than this is refused (the charts have one point per day). */
export const MAX_RANGE_DAYS = 366;

const DAY_MS = 24 * 3600_000;

const isCalendarDate = (value: string) => {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
};

const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "Use a date like 2026-11-30.", abort: true })
  .refine(isCalendarDate, "Not a calendar date.");

/** The URL parameters: `range=7d|30d|90d`, or `from` and `to` (YYYY-MM-DD, inclusive). */
export const RangeQuerySchema = z
  .object({
    range: z.enum(RANGE_PRESETS).optional(),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
  })
  .superRefine(({ from, to }, ctx) => {
    if ((from === undefined) !== (to === undefined)) {
      ctx.addIssue({ code: "custom", message: "Give both from and to, or neither.", path: [from === undefined ? "from" : "to"] });
      return;
    }
    // A date that is not one was reported by its own field.
    if (!from || !to || !isCalendarDate(from) || !isCalendarDate(to)) return;
    if (from > to) ctx.addIssue({ code: "custom", message: "from must not be after to.", path: ["to"] });
    else if (daysBetween(from, to) > MAX_RANGE_DAYS) ctx.addIssue({ code: "custom", message: `A range can span at most ${MAX_RANGE_DAYS} days.`, path: ["to"] });
  });

/** The raw URL parameters, before validation. */
export type RangeParams = { range?: string; from?: string; to?: string };

export interface DateRange {
  /** First day, YYYY-MM-DD (UTC). */
  from: string;
  /** Last day, inclusive. */
  to: string;
  /** The preset it came from, or null for a custom range. */
  preset: RangePreset | null;
  days: number;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** The last `days` UTC days ending today. */
export function lastDays(days: number, now: Date = new Date()): { from: string; to: string } {
  return { from: isoDay(new Date(now.getTime() - (days - 1) * DAY_MS)), to: isoDay(now) };
}

export type RangeIssue = { path: string; message: string };

/**
 * The range the URL parameters name (no parameters: the last 30 days; a preset wins over dates),
 * or what is wrong with them.
 */
export function parseRange(params: RangeParams, now: Date = new Date()): { range: DateRange } | { issues: RangeIssue[] } {
  const parsed = RangeQuerySchema.safeParse(params);
  if (!parsed.success) return { issues: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })) };
  const { range, from, to } = parsed.data;
  if (from && to && !range) return { range: { from, to, preset: null, days: daysBetween(from, to) } };
  const preset = range ?? "30d";
  const days = Number.parseInt(preset, 10);
  return { range: { ...lastDays(days, now), preset, days } };
}

/** The query string of a range, as the Overview's links and picker write it. */
export function rangeSearch(range: Pick<DateRange, "from" | "to" | "preset">): string {
  return range.preset ? `range=${range.preset}` : `from=${range.from}&to=${range.to}`;
}
