import type { Prisma } from "@/lib/generated/prisma/client";

/**
 * The order a run's steps are shown and returned in. Start times have millisecond precision,
 * so a quick step and the next one often share one; the earlier step has finished by the time
 * the next begins, so the finish time breaks that tie (a step still running sorts last).
 */
export const STEP_ORDER = [
  { startedAt: "asc" },
  { finishedAt: { sort: "asc", nulls: "last" } },
  { iteration: "asc" },
  { nodeId: "asc" },
] satisfies Prisma.RunStepOrderByWithRelationInput[];
