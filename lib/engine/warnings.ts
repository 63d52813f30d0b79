import { z } from "zod";

/**
 * Step warnings: problems a step survived, recorded in its `detail.warnings` (so the trace keeps
 * them) and counted on the run (`runs.warnings`, summed in lib/runs/step-sql.ts). Isomorphic: the
 * run page parses them with the same schema the executors write.
 */
export const StepWarningSchema = z.object({
  /** The error code of what went wrong (tool_error, tool_unavailable…). */
  code: z.string(),
  message: z.string(),
  /** The tool involved, when the warning is about a tool call. */
  tool: z.string().optional(),
});
export type StepWarning = z.infer<typeof StepWarningSchema>;

/** The warnings a stored step detail holds (none when absent or malformed). */
export function stepWarnings(detail: unknown): StepWarning[] {
  const raw = detail && typeof detail === "object" ? (detail as { warnings?: unknown }).warnings : undefined;
  const parsed = z.array(StepWarningSchema).safeParse(raw);
  return parsed.success ? parsed.data : [];
}
