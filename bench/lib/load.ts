/** The closed-loop load generator the HTTP benchmarks share, and their percentile. */

export interface Attempt {
  ms: number;
  ok: boolean;
  detail?: string;
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** A closed loop: `concurrency` callers, each sending its next request when the last one answered. */
export async function closedLoop(total: number, concurrency: number, once: () => Promise<Attempt>) {
  const latencies: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        const result = await once();
        latencies.push(result.ms);
        if (!result.ok) failures.push(result.detail ?? "?");
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b), failures };
}
