import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { schedulesQueue, schedulerIdOf } from "@/lib/triggers/schedule-queue";
import { CreateScheduleSchema } from "@/lib/triggers/schedule-schemas";
import { createSchedule, updateSchedule } from "@/lib/triggers/schedules";
import { createTestMember } from "./helpers/members";
import { publishedWorkflow } from "./helpers/triggers";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Schedules with real worker processes: BullMQ job schedulers fire, PostgreSQL decides. Two
 * workers compete for every fire; each fire must start exactly one run (its scheduled time is the
 * run's trigger key, unique per schedule), and nothing paused or deleted in PostgreSQL may fire.
 */
const WORKER_ENV = { WEFT_WORKER_LOCK_MS: "1000", WEFT_WORKER_STALLED_MS: "500" };
let workers: WorkerProcess[] = [];
let member: Member;
let workflowId: string;
const EVERY_SECOND = "* * * * * *";
const inputs = { name: "tick", n: 1 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const firesOf = async (scheduleId: string) =>
  (await db().run.findMany({ where: { triggerRefId: scheduleId, trigger: "schedule" }, select: { triggerKey: true } })).map((r) => Date.parse(r.triggerKey!)).sort((a, b) => a - b);

/** Every second between the first and the last fire has exactly one run: none lost, none doubled. */
function expectOnePerSecond(times: number[]) {
  expect(new Set(times).size).toBe(times.length);
  for (const t of times) expect(t % 1000).toBe(0);
  expect(times.length).toBe((times[times.length - 1]! - times[0]!) / 1000 + 1);
}

const startWorkers = async (count: number) => {
  const started = await Promise.all(Array.from({ length: count }, () => startWorkerProcess(WORKER_ENV)));
  workers.push(...started);
  return started;
};
const stopAll = async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
};

beforeAll(async () => {
  member = await createTestMember("developer");
  workflowId = await publishedWorkflow(member);
  await startWorkers(2);
});

afterAll(async () => {
  await stopAll();
  await schedulesQueue().close();
});

describe("validation", () => {
  it("refuses a bad cron expression, an unknown time zone and fixed inputs that do not fit the Start node", async () => {
    const bad = CreateScheduleSchema.safeParse({ name: "x", cron: "61 * * * *" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["cron"]);
    const zone = CreateScheduleSchema.safeParse({ name: "x", cron: "0 9 * * 1-5", timezone: "Mars/Olympus" });
    expect(zone.error?.issues[0]?.path).toEqual(["timezone"]);
    await expect(createSchedule(member, workflowId, { name: "x", cron: "0 9 * * *", inputs: { n: "one" } })).rejects.toMatchObject({ code: "invalid_input" });
    const ok = await createSchedule(member, workflowId, { name: "weekdays", cron: "0 9 * * 1-5", timezone: "Europe/Paris", inputs, enabled: false });
    expect(ok).toMatchObject({ enabled: false, nextFireAt: null, timezone: "Europe/Paris" });
  });
});

describe("firing with two workers", () => {
  it("a schedule firing every second for about 4 s starts exactly one run per fire; pausing stops it", async () => {
    const schedule = await createSchedule(member, workflowId, { name: "every second", cron: EVERY_SECOND, inputs });
    await sleep(4_500);
    await updateSchedule(member, workflowId, schedule.id, { enabled: false });
    await sleep(1_000);
    const fired = await firesOf(schedule.id);
    expect(fired.length).toBeGreaterThanOrEqual(3);
    expectOnePerSecond(fired);
    await sleep(2_500);
    expect(await firesOf(schedule.id)).toEqual(fired);
    expect((await schedulesQueue().getJobSchedulers()).map((s) => s.key)).not.toContain(schedulerIdOf(schedule.id));
    const row = await db().schedule.findUniqueOrThrow({ where: { id: schedule.id } });
    expect(row.lastFiredAt?.getTime()).toBe(fired[fired.length - 1]);
  });

  it("a schedule paused directly in PostgreSQL (its scheduler still in Redis) does not fire", async () => {
    const schedule = await createSchedule(member, workflowId, { name: "paused in db", cron: EVERY_SECOND, inputs });
    await sleep(1_500);
    await db().schedule.update({ where: { id: schedule.id }, data: { enabled: false } });
    await sleep(500);
    const before = await firesOf(schedule.id);
    await sleep(2_500);
    expect(await firesOf(schedule.id)).toEqual(before);
    await db().schedule.delete({ where: { id: schedule.id } });
  });

  it("a worker killed (SIGKILL) and restarted neither loses nor doubles a fire", async () => {
    const schedule = await createSchedule(member, workflowId, { name: "survives a kill", cron: EVERY_SECOND, inputs });
    await sleep(2_000);
    const victim = workers.shift()!;
    await victim.stop("SIGKILL");
    await sleep(2_500);
    await startWorkers(1);
    await sleep(2_500);
    await updateSchedule(member, workflowId, schedule.id, { enabled: false });
    await sleep(1_500);
    const fired = await firesOf(schedule.id);
    expect(fired.length).toBeGreaterThanOrEqual(6);
    expectOnePerSecond(fired);
  });
});

describe("while every worker is down", () => {
  it("a schedule deleted in PostgreSQL never fires after the restart, and its scheduler is removed", async () => {
    await stopAll();
    const schedule = await createSchedule(member, workflowId, { name: "deleted while down", cron: EVERY_SECOND, inputs });
    expect((await schedulesQueue().getJobSchedulers()).map((s) => s.key)).toContain(schedulerIdOf(schedule.id));
    await db().schedule.delete({ where: { id: schedule.id } });
    await sleep(1_500);
    const [worker] = await startWorkers(1);
    await worker!.waitForOutput("schedulers reconciled with PostgreSQL", 15_000);
    await sleep(2_000);
    expect(await firesOf(schedule.id)).toEqual([]);
    expect((await schedulesQueue().getJobSchedulers()).map((s) => s.key)).not.toContain(schedulerIdOf(schedule.id));
  });

  it("a missed fire runs once at start-up (run_once, even with two workers starting) or is skipped (skip)", async () => {
    await stopAll();
    const yearly = "0 0 1 1 *";
    const runOnce = await createSchedule(member, workflowId, { name: "missed run once", cron: yearly, inputs, misfirePolicy: "run_once" });
    const skip = await createSchedule(member, workflowId, { name: "missed skip", cron: yearly, inputs, misfirePolicy: "skip" });
    const missed = new Date(Math.floor(Date.now() / 1000) * 1000 - 10 * 60_000);
    await db().schedule.updateMany({ where: { id: { in: [runOnce.id, skip.id] } }, data: { nextFireAt: missed } });
    const started = await startWorkers(2);
    await Promise.all(started.map((w) => w.waitForOutput("worker ready", 15_000)));
    await sleep(2_000);
    expect(await firesOf(runOnce.id)).toEqual([missed.getTime()]);
    expect(await firesOf(skip.id)).toEqual([]);
    const rows = await db().schedule.findMany({ where: { id: { in: [runOnce.id, skip.id] } } });
    for (const row of rows) expect(row.nextFireAt!.getTime()).toBeGreaterThan(Date.now());
  });
});
