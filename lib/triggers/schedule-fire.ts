import type { Db } from "@/lib/db/client";
import { nextFireTime } from "./cron";
import { startTriggeredRun, triggerMember } from "./start";

export interface FireLog {
  info: (obj: object, msg: string) => void;
  warn: (obj: object, msg: string) => void;
}

export type FireOutcome = "started" | "duplicate" | "gone" | "paused" | "missed" | "refused";

/**
 * One fire of a schedule at its scheduled time `scheduledAt`. The row is read first: a schedule
 * deleted or paused in PostgreSQL never fires, whatever Redis still holds. The run's trigger key
 * is the scheduled time, so the same fire delivered twice (a stalled job taken again, two workers
 * catching up the same missed fire) starts one run. A fire later than `graceMs` was missed while
 * no worker ran: the schedule's misfire policy runs it once or skips it (`force` runs it anyway:
 * the start-up catch-up has already applied the policy).
 */
export async function fireSchedule(
  db: Db,
  scheduleId: string,
  scheduledAt: Date,
  options: { graceMs: number; log: FireLog; force?: boolean; now?: Date },
): Promise<FireOutcome> {
  const schedule = await db.schedule.findUnique({ where: { id: scheduleId } });
  if (!schedule) return "gone";
  if (!schedule.enabled) return "paused";
  const now = options.now ?? new Date();
  const next = nextFireTime(schedule.cron, schedule.timezone, now);
  const late = now.getTime() - scheduledAt.getTime() > options.graceMs;
  if (late && !options.force && schedule.misfirePolicy === "skip") {
    await db.schedule.update({ where: { id: scheduleId }, data: { nextFireAt: next } });
    options.log.info({ scheduleId, scheduledAt }, "schedule fire missed: skipped (misfire policy skip)");
    return "missed";
  }
  const member = await triggerMember(schedule.workspaceId, schedule.createdById);
  let outcome: FireOutcome = "refused";
  if (!member) {
    options.log.warn({ scheduleId }, "schedule fire refused: its creator is no longer a member of the workspace");
  } else {
    try {
      const origin = { trigger: "schedule" as const, triggerRefId: schedule.id, triggerRefName: schedule.name, triggerKey: scheduledAt.toISOString() };
      const started = await startTriggeredRun(member, schedule.workflowId, schedule.inputs as Record<string, unknown>, origin);
      outcome = started.existing ? "duplicate" : "started";
      if (!started.existing) options.log.info({ scheduleId, scheduledAt, runId: started.runId }, "schedule fired");
    } catch (error) {
      // Not retried: a fire that cannot start (unpublished, inputs that no longer fit, budget spent) waits for the next one.
      options.log.warn({ scheduleId, scheduledAt, err: error }, "schedule fire refused");
    }
  }
  // lastFiredAt only moves forward (fires may complete out of order across workers).
  await db.$executeRaw`UPDATE schedules SET "lastFiredAt" = GREATEST(COALESCE("lastFiredAt", ${scheduledAt}), ${scheduledAt}), "nextFireAt" = ${next} WHERE id = ${scheduleId}`;
  return outcome;
}
