import { z } from "zod";

/**
 * Input schemas for budgets and rate limits, shared by the services, the routes and the forms.
 * Isomorphic: no server imports.
 */

const PositiveCount = (max: number, what: string) =>
  z
    .number({ error: `${what} must be a whole number` })
    .int(`${what} must be a whole number`)
    .min(1, `${what} must be at least 1 (leave it empty for no limit)`)
    .max(max, `${what} is at most ${max.toLocaleString("en-US")}`);

/** A model provider's limits, shared by every worker (lib/limits/provider-gate.ts). Absent = no limit. */
export const ProviderLimitsSchema = z.object({
  requestsPerMinute: PositiveCount(1_000_000, "Requests per minute").optional(),
  tokensPerMinute: PositiveCount(1_000_000_000, "Tokens per minute").optional(),
  maxConcurrentCalls: PositiveCount(10_000, "Concurrent calls").optional(),
});
export type ProviderLimits = z.infer<typeof ProviderLimitsSchema>;

/** Reads a stored ModelProvider.limits column; anything that does not parse means no limits. */
export function readProviderLimits(value: unknown): ProviderLimits {
  const parsed = ProviderLimitsSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}

export const hasProviderLimits = (limits: ProviderLimits) =>
  limits.requestsPerMinute !== undefined || limits.tokensPerMinute !== undefined || limits.maxConcurrentCalls !== undefined;

export const CurrencySchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, "Currency is a three-letter ISO code such as USD");

/** A monthly budget: the amount per calendar month (UTC), its currency and the warning threshold. */
export const BudgetSchema = z.object({
  monthlyLimit: z.number({ error: "The monthly budget must be a number" }).min(0, "The monthly budget cannot be negative").max(1e12, "The monthly budget is too large"),
  currency: CurrencySchema.default("USD"),
  warnPercent: z
    .number({ error: "The warning threshold must be a number" })
    .int("The warning threshold is a whole percentage")
    .min(1, "The warning threshold is between 1 and 100 %")
    .max(100, "The warning threshold is between 1 and 100 %")
    .default(80),
});
export type BudgetInput = z.input<typeof BudgetSchema>;

/** PUT /api/budget: the workspace's budget, or null to remove it. */
export const WorkspaceBudgetSchema = z.object({ budget: BudgetSchema.nullable() });

/** PUT /api/budget/workflows/[id]: a workflow's own budget and concurrency limit (null removes either). */
export const WorkflowLimitsSchema = z.object({
  budget: BudgetSchema.nullable().optional(),
  maxConcurrentRuns: PositiveCount(1_000, "Concurrent runs").nullable().optional(),
});
export type WorkflowLimitsInput = z.input<typeof WorkflowLimitsSchema>;
