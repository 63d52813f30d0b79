import { z } from "zod";
import { cronProblem } from "./cron";

export const MISFIRE_POLICIES = ["run_once", "skip"] as const;

const Fields = {
  name: z.string().trim().min(1, "Give the schedule a name").max(120),
  cron: z.string().trim().min(1).max(120),
  timezone: z.string().trim().min(1).max(64).default("UTC"),
  /** The Start inputs of every run (checked against the published Start node). */
  inputs: z.record(z.string(), z.unknown()).default({}),
  misfirePolicy: z.enum(MISFIRE_POLICIES).default("run_once"),
  enabled: z.boolean().default(true),
};

function checkCron(value: { cron?: string; timezone?: string }, ctx: z.RefinementCtx) {
  if (value.cron === undefined) return;
  const problem = cronProblem(value.cron, value.timezone ?? "UTC");
  if (problem) ctx.addIssue({ code: "custom", path: [problem.startsWith("The cron") || problem.startsWith("A cron") ? "cron" : "timezone"], message: problem });
}

export const CreateScheduleSchema = z.strictObject(Fields).superRefine(checkCron);

export const UpdateScheduleSchema = z
  .strictObject({
    name: Fields.name.optional(),
    cron: Fields.cron.optional(),
    timezone: z.string().trim().min(1).max(64).optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
    misfirePolicy: z.enum(MISFIRE_POLICIES).optional(),
    enabled: z.boolean().optional(),
  })
  .superRefine(checkCron);

export interface ScheduleView {
  id: string;
  workflowId: string;
  name: string;
  cron: string;
  timezone: string;
  inputs: Record<string, unknown>;
  misfirePolicy: (typeof MISFIRE_POLICIES)[number];
  enabled: boolean;
  lastFiredAt: string | null;
  nextFireAt: string | null;
  createdAt: string;
}
