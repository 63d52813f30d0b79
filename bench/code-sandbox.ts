import { performance } from "node:perf_hooks";
import { createSandboxPool } from "@/lib/sandbox/pool";

/**
 * Latency of the Code node's sandbox: a cold job (child process spawn + isolate), warm jobs
 * (reused child, fresh isolate each) and a job after a failure (the child is replaced).
 * Run: node --import tsx bench/code-sandbox.ts
 */
const pool = createSandboxPool({ idle: 1 });
const request = (code: string) => ({
  code,
  inputs: { items: Array.from({ length: 1_000 }, (_, i) => i) },
  timeoutMs: 1_000,
  memoryMb: 64,
  maxOutputBytes: 512 * 1024,
  signal: new AbortController().signal,
});
const sum = "return { total: inputs.items.reduce((a, b) => a + b, 0) };";

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn().catch(() => undefined);
  return performance.now() - started;
}

const cold = await time(() => pool.run(request(sum)));
const warm: number[] = [];
for (let i = 0; i < 50; i++) warm.push(await time(() => pool.run(request(sum))));
warm.sort((a, b) => a - b);
await time(() => pool.run(request("throw new Error('x')")));
const afterFailure = await time(() => pool.run(request(sum)));
pool.close();

const pct = (p: number) => warm[Math.min(warm.length - 1, Math.floor((p / 100) * warm.length))].toFixed(1);
console.log(`cold job (spawn + isolate): ${cold.toFixed(1)} ms`);
console.log(`warm jobs (n=${warm.length}): p50 ${pct(50)} ms, p95 ${pct(95)} ms`);
console.log(`first job after a failure (child replaced in the background): ${afterFailure.toFixed(1)} ms`);
