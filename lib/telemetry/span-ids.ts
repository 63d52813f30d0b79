import { createHash } from "node:crypto";

/**
 * Trace and span ids derived from run ids, so exporting the same run twice (a retried export, a
 * second worker) yields the same ids, and a trace can be found from the run id alone: a top-level
 * run's trace id is its UUID without dashes.
 */

const hash = (text: string, hexChars: number) => createHash("sha256").update(text).digest("hex").slice(0, hexChars);
const nonZero = (hex: string, fallback: () => string) => (/^0+$/.test(hex) ? fallback() : hex);

/** The trace of a top-level run (a sub-workflow's run lives in its top-level run's trace). */
export function traceIdFor(rootRunId: string): string {
  const hex = rootRunId.replace(/-/g, "").toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? nonZero(hex, () => hash(`weft-trace/${rootRunId}`, 32)) : hash(`weft-trace/${rootRunId}`, 32);
}

export function runSpanId(runId: string): string {
  return nonZero(hash(`weft-run/${runId}`, 16), () => hash(`weft-run/${runId}/1`, 16));
}

export function stepSpanId(runId: string, nodeId: string, iteration: number): string {
  const key = `weft-step/${runId}/${nodeId}/${iteration}`;
  return nonZero(hash(key, 16), () => hash(`${key}/1`, 16));
}

/** A span inside a step (an Agent's model turn or tool call), named by `part`. */
export function childSpanId(runId: string, nodeId: string, iteration: number, part: string): string {
  const key = `weft-step/${runId}/${nodeId}/${iteration}/${part}`;
  return nonZero(hash(key, 16), () => hash(`${key}/1`, 16));
}
