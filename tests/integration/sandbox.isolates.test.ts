import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/**
 * The sandbox child's isolate stock (lib/sandbox/child-isolates.mjs), in a process started as the
 * pool starts its children (lib/sandbox/process.ts): a busy workspace's isolate is collected when
 * its heap passes 8 MB instead of being replaced, and the collector never reaches user code.
 */
const script = fileURLToPath(new URL("../fixtures/sandbox-isolate-stock.mjs", import.meta.url));
const MAX_IDLE_HEAP_BYTES = 8 * 1024 * 1024;

async function runStock(flags: string[], jobs: number) {
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, script, String(jobs)], { timeout: 60_000 });
  return JSON.parse(stdout) as { isolates: number; largestKeptHeapBytes: number; seenByUserCode: string[]; gcReplaceable: boolean };
}

describe("the sandbox child's isolates", () => {
  it("with --expose-gc (as the pool starts its children): one isolate serves 300 jobs of a workspace, collected whenever its heap passes 8 MB; user code sees no gc", async () => {
    const stock = await runStock(["--no-node-snapshot", "--expose-gc"], 300);
    // Each job leaves its released context behind: without collection the heap passes 8 MB every 25 or so jobs.
    expect(stock.isolates).toBe(1);
    expect(stock.largestKeptHeapBytes).toBeGreaterThan(0);
    expect(stock.largestKeptHeapBytes).toBeLessThanOrEqual(MAX_IDLE_HEAP_BYTES);
    expect(stock.seenByUserCode).toEqual([]);
    expect(stock.gcReplaceable).toBe(false);
  });

  it("without the flag: an isolate past 8 MB is replaced, so no idle isolate is kept large", async () => {
    const stock = await runStock(["--no-node-snapshot"], 300);
    expect(stock.isolates).toBeGreaterThan(1);
    expect(stock.largestKeptHeapBytes).toBeLessThanOrEqual(MAX_IDLE_HEAP_BYTES);
    expect(stock.seenByUserCode).toEqual([]);
  });
});
