import type { z } from "zod";
import { recordMemberAction } from "@/lib/audit/member-action";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { validateRunInputs } from "@/lib/engine/inputs";
import type { Prisma } from "@/lib/generated/prisma/client";
import { nodeRegistry } from "@/lib/nodes/registry";
import { ServiceError, notFound } from "@/lib/services/errors";
import { cronProblem, nextFireTime } from "./cron";
import { requirePublished, workflowOf } from "./published";
import { schedulesQueue, syncScheduler } from "./schedule-queue";
import { CreateScheduleSchema, UpdateScheduleSchema, type ScheduleView } from "./schedule-schemas";

/**
 * Schedules of a workflow: developers (workflow.publish) create, change, pause and delete them,
 * viewers list them. The row is written first, then the BullMQ scheduler is made to match it; if
 * Redis is down at that moment the workers' reconciliation at start (and every
 * WEFT_RECONCILE_EVERY_MS) catches up, and a fire always re-reads the row before it runs anything.
 */

const SELECT = {
  id: true,
  workflowId: true,
  name: true,
  cron: true,
  timezone: true,
  inputs: true,
  misfirePolicy: true,
  enabled: true,
  lastFiredAt: true,
  nextFireAt: true,
  createdAt: true,
} as const;
type Row = Prisma.ScheduleGetPayload<{ select: typeof SELECT }>;

function toView(row: Row): ScheduleView {
  return {
    ...row,
    inputs: (row.inputs ?? {}) as Record<string, unknown>,
    misfirePolicy: row.misfirePolicy as ScheduleView["misfirePolicy"],
    lastFiredAt: row.lastFiredAt?.toISOString() ?? null,
    nextFireAt: row.nextFireAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

async function checkInputs(workspaceId: string, workflowId: string, inputs: Record<string, unknown>): Promise<void> {
  const graph = await requirePublished(workspaceId, workflowId);
  const checked = validateRunInputs(graph, nodeRegistry, inputs);
  if (!checked.ok) throw new ServiceError("invalid_input", "The fixed inputs do not fit the published workflow's Start inputs.", { problems: checked.problems });
}

async function ownSchedule(member: Member, workflowId: string, id: string) {
  const row = await db().schedule.findFirst({ where: { id, workflowId, workspaceId: member.workspaceId }, select: SELECT });
  if (!row) throw notFound("Schedule");
  return row;
}

export async function listSchedules(member: Member, workflowId: string): Promise<ScheduleView[]> {
  requirePermission(member, "workflow.read");
  await workflowOf(member, workflowId);
  const rows = await db().schedule.findMany({ where: { workflowId, workspaceId: member.workspaceId }, orderBy: { createdAt: "asc" }, select: SELECT });
  return rows.map(toView);
}

export async function createSchedule(member: Member, workflowId: string, input: z.input<typeof CreateScheduleSchema>): Promise<ScheduleView> {
  requirePermission(member, "workflow.publish");
  const data = CreateScheduleSchema.parse(input);
  await workflowOf(member, workflowId);
  await checkInputs(member.workspaceId, workflowId, data.inputs);
  const row = await db().schedule.create({
    data: {
      workspaceId: member.workspaceId,
      workflowId,
      name: data.name,
      cron: data.cron,
      timezone: data.timezone,
      inputs: data.inputs as Prisma.InputJsonValue,
      misfirePolicy: data.misfirePolicy,
      enabled: data.enabled,
      nextFireAt: data.enabled ? nextFireTime(data.cron, data.timezone) : null,
      createdById: member.userId,
    },
    select: SELECT,
  });
  await syncScheduler(schedulesQueue(), row);
  await recordMemberAction(member, "schedule.created", { type: "schedule", id: row.id, label: row.name }, { metadata: { workflowId, cron: row.cron, timezone: row.timezone } });
  return toView(row);
}

/** Changes a schedule; `enabled: false` pauses it (its scheduler is removed), `true` resumes it from the next time on. */
export async function updateSchedule(member: Member, workflowId: string, id: string, input: z.input<typeof UpdateScheduleSchema>): Promise<ScheduleView> {
  requirePermission(member, "workflow.publish");
  const data = UpdateScheduleSchema.parse(input);
  const existing = await ownSchedule(member, workflowId, id);
  const cron = data.cron ?? existing.cron;
  const timezone = data.timezone ?? existing.timezone;
  const problem = data.timezone !== undefined && data.cron === undefined ? cronProblem(cron, timezone) : null;
  if (problem) throw new ServiceError("invalid_request", problem);
  if (data.inputs) await checkInputs(member.workspaceId, workflowId, data.inputs);
  const enabled = data.enabled ?? existing.enabled;
  const row = await db().schedule.update({
    where: { id },
    data: {
      ...data,
      inputs: data.inputs as Prisma.InputJsonValue | undefined,
      // A resumed or changed schedule starts from its next time: fires missed while paused are not "missed".
      nextFireAt: enabled ? nextFireTime(cron, timezone) : null,
    },
    select: SELECT,
  });
  await syncScheduler(schedulesQueue(), row);
  await recordMemberAction(member, "schedule.updated", { type: "schedule", id, label: row.name }, { metadata: { workflowId, changed: Object.keys(data) } });
  return toView(row);
}

export async function deleteSchedule(member: Member, workflowId: string, id: string): Promise<void> {
  requirePermission(member, "workflow.publish");
  const existing = await ownSchedule(member, workflowId, id);
  await db().schedule.delete({ where: { id } });
  await syncScheduler(schedulesQueue(), { id, enabled: false });
  await recordMemberAction(member, "schedule.deleted", { type: "schedule", id, label: existing.name }, { metadata: { workflowId } });
}
