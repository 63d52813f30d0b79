import { CronExpressionParser } from "cron-parser";

/**
 * Cron expressions as schedules use them (the same parser BullMQ fires with): five fields, or six
 * with seconds first, in an IANA time zone. Shared by the schedule form's preview and the server.
 */

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Null when valid, else why not. */
export function cronProblem(cron: string, timezone: string): string | null {
  if (!isTimeZone(timezone)) return `${timezone} is not a time zone (use an IANA name such as Europe/Paris).`;
  const fields = cron.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) return "A cron expression has five fields (minute hour day month weekday), or six with seconds first.";
  try {
    CronExpressionParser.parse(cron, { tz: timezone }).next();
    return null;
  } catch (error) {
    return `The cron expression is invalid: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The next `count` fire times strictly after `from`. */
export function nextFireTimes(cron: string, timezone: string, count: number, from: Date = new Date()): Date[] {
  const interval = CronExpressionParser.parse(cron, { tz: timezone, currentDate: from });
  return interval.take(count).map((date) => date.toDate());
}

export const nextFireTime = (cron: string, timezone: string, from: Date = new Date()): Date => nextFireTimes(cron, timezone, 1, from)[0]!;
