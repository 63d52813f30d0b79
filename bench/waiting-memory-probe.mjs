// Loaded into the benchmarked process with --import: on SIGUSR2 the process collects garbage
// (when started with --expose-gc) and prints its memory use as one JSON line, with the size V8
// keeps for each heap space (what RSS holds beyond the live heap).
import v8 from "node:v8";

process.on("SIGUSR2", () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.space_size / 1048576)]));
  process.stdout.write(`MEMORY ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, spacesMiB: spaces })}\n`);
});
