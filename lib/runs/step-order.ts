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

/** The same order for raw SQL over run_steps (`alias` is the table's alias, or empty). */
export function stepOrderSql(alias = ""): string {
  const column = (name: string) => (alias ? `${alias}."${name}"` : `"${name}"`);
  return `${column("startedAt")} ASC, ${column("finishedAt")} ASC NULLS LAST, ${column("iteration")} ASC, ${column("nodeId")} ASC`;
}
