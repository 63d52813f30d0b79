// Loaded into the benchmarked worker with --import: on SIGUSR2 the process collects garbage
// (when started with --expose-gc) and prints its memory use as one JSON line.
process.on("SIGUSR2", () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  process.stdout.write(`MEMORY ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external })}\n`);
});
