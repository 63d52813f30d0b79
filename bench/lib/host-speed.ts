import { execFileSync } from "node:child_process";

/**
 * The fixed work, run in a fresh Node process so that the benchmark's own heap and JIT state do
 * not weigh on it: JSON, sorting and hashing, as a request does. Prints the fastest of 15 rounds
 * in milliseconds (the fastest is the steadiest measure of what the CPU can do).
 */
const PROBE = `
const { createHash } = require("node:crypto");
const rows = Array.from({ length: 2000 }, (_, i) => ({ id: "run-" + i, status: i % 3 ? "succeeded" : "failed", values: [i, i * 2, i * 3], at: new Date(i * 1000).toISOString() }));
const payload = Buffer.alloc(256 * 1024, 7);
const round = () => {
  const started = performance.now();
  for (let i = 0; i < 5; i++) {
    const copy = JSON.parse(JSON.stringify(rows));
    copy.sort((a, b) => b.values[0] - a.values[0]);
    createHash("sha256").update(payload).digest("hex");
  }
  return performance.now() - started;
};
for (let i = 0; i < 3; i++) round();
process.stdout.write(String(Math.min(...Array.from({ length: 15 }, round))));
`;

/**
 * How fast this host runs a fixed piece of CPU work right now, in milliseconds (lower is faster).
 * The same machine has run 2–2.5 times slower on some days than on others (a shared host), so a
 * benchmark prints this beside its figures and figures from different days are compared through
 * it, not directly.
 */
export function hostSpeedProbeMs(): number {
  return Number(execFileSync(process.execPath, ["-e", PROBE], { encoding: "utf8", timeout: 60_000 }));
}
