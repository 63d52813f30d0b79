import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/**
 * The sandbox child's isolate stock (lib/sandbox/child-isolates.mjs), in a process started as the
 * pool starts its children (lib/sandbox/process.ts): a busy workspace's isolate is collected when
 * its heap passes 4 MB instead of being replaced, and the collector never reaches user code.
 */
const script = fileURLToPath(new URL("../fixtures/sandbox-isolate-stock.mjs", import.meta.url));
const MAX_IDLE_HEAP_BYTES = 4 * 1024 * 1024;

async function runStock(flags: string[], jobs: number) {
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, script, String(jobs)], { timeout: 60_000 });
  return JSON.parse(stdout) as { isolates: number; largestKeptHeapBytes: number; largestKeptLiveHeapBytes: number; seenByUserCode: string[]; gcReplaceable: boolean };
}

describe("the sandbox child's isolates", () => {
  it("with --expose-gc (as the pool starts its children): one isolate serves 300 jobs of a workspace, collected whenever its heap passes 4 MB; user code sees no gc", async () => {
    const stock = await runStock(["--no-node-snapshot", "--expose-gc"], 300);
    // Each job leaves its released context behind: without collection the heap passes 4 MB every 10 or so jobs.
    expect(stock.isolates).toBe(1);
    expect(stock.largestKeptLiveHeapBytes).toBeGreaterThan(0);
    expect(stock.largestKeptLiveHeapBytes).toBeLessThanOrEqual(MAX_IDLE_HEAP_BYTES);
    // V8 keeps some freed pages committed after a collection; never a second threshold's worth.
    expect(stock.largestKeptHeapBytes).toBeLessThan(2 * MAX_IDLE_HEAP_BYTES);
    expect(stock.seenByUserCode).toEqual([]);
    expect(stock.gcReplaceable).toBe(false);
  });

  it("without the flag: an isolate past 4 MB is replaced, so no idle isolate is kept large", async () => {
    const stock = await runStock(["--no-node-snapshot"], 300);
    expect(stock.isolates).toBeGreaterThan(1);
    expect(stock.largestKeptHeapBytes).toBeLessThanOrEqual(MAX_IDLE_HEAP_BYTES);
    expect(stock.seenByUserCode).toEqual([]);
  });
});
