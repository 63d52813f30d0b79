import { createSandboxPool } from "@/lib/sandbox/pool";
const pool = createSandboxPool({ processes: Number(process.argv[2] ?? 1), warmIsolates: Number(process.argv[3] ?? 4) });
await pool.ready();
const items = Array.from({ length: 1000 }, (_, i) => i);
const req = () => ({ code: "return { total: inputs.items.reduce((a, b) => a + b, 0) };", inputs: { items }, timeoutMs: 1000, memoryMb: 64, maxOutputBytes: 512 * 1024, signal: new AbortController().signal });
for (let i = 0; i < 200; i++) await pool.run(req());
const lat: number[] = [], dur: number[] = [];
for (let i = 0; i < 500; i++) {
  const t = performance.now();
  const r = await pool.run(req());
  lat.push(performance.now() - t); dur.push(r.durationMs);
  if (process.argv[4]) await new Promise((res) => setTimeout(res, Number(process.argv[4])));
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log("latency p50", med(lat).toFixed(2), "child durationMs p50", med(dur));
pool.close();
