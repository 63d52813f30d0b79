import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";

/**
 * How fast this host runs a fixed piece of CPU work right now (JSON, hashing, object churn, as a
 * request does), in milliseconds: the median of 7 rounds, lower is faster. The same machine has
 * run 2–2.5 times slower on some days than on others (a shared host), so a benchmark prints this
 * beside its figures and figures from different days are compared through it, not directly.
 */
export function hostSpeedProbeMs(): number {
  const rows = Array.from({ length: 2_000 }, (_, i) => ({ id: `run-${i}`, status: i % 3 ? "succeeded" : "failed", values: [i, i * 2, i * 3], at: new Date(i * 1_000).toISOString() }));
  const payload = Buffer.alloc(256 * 1024, 7);
  const round = () => {
    const started = performance.now();
    for (let i = 0; i < 5; i++) {
      const copy = JSON.parse(JSON.stringify(rows)) as typeof rows;
      copy.sort((a, b) => b.values[0]! - a.values[0]!);
      createHash("sha256").update(payload).digest("hex");
    }
    return performance.now() - started;
  };
  round();
  const times = Array.from({ length: 7 }, round).sort((a, b) => a - b);
  return times[3]!;
}
