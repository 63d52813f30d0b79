import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot, WORKER_BUNDLE } from "@/scripts/lib/worker-command";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * The integration setup compiles the worker (scripts/build-worker.ts); every worker the tests start
 * runs that bundle with bare node, and the sandbox child file sits next to it (issue #9, point 3).
 */
describe("compiled worker", () => {
  let worker: WorkerProcess | undefined;
  afterAll(async () => void (await worker?.stop()));

  it("the build wrote the bundle, its source map and the sandbox's child.mjs next to it", () => {
    const dir = path.dirname(path.join(projectRoot, WORKER_BUNDLE));
    expect(existsSync(path.join(projectRoot, WORKER_BUNDLE))).toBe(true);
    expect(existsSync(path.join(projectRoot, `${WORKER_BUNDLE}.map`))).toBe(true);
    expect(existsSync(path.join(dir, "child.mjs"))).toBe(true);
    // Model SDKs are split off and loaded on first use, not part of the start-up bundle.
    const bundle = readFileSync(path.join(projectRoot, WORKER_BUNDLE), "utf8");
    expect(bundle).not.toContain("@langchain/openai");
    // So is OpenTelemetry: loaded only when an OTLP endpoint is configured (lib/telemetry).
    expect(bundle).not.toMatch(/OTLPTraceExporter|BatchSpanProcessor/);
    const otel = readdirSync(dir).filter((file) => file.endsWith(".mjs") && readFileSync(path.join(dir, file), "utf8").includes("OTLPTraceExporter"));
    expect(otel).toEqual([expect.stringMatching(/^exporter-/)]);
  });

  it("test workers run the bundle without a TypeScript loader and report when they listen", async () => {
    worker = await startWorkerProcess({ LOG_LEVEL: "info" });
    const cmdline = readFileSync(`/proc/${worker.child.pid}/cmdline`, "utf8").split("\0");
    expect(cmdline).toContain(WORKER_BUNDLE);
    expect(cmdline.join(" ")).not.toMatch(/tsx|run-worker\.ts/);
    await worker.waitForOutput("worker ready: listening for runs", 10_000);
    const startupMs = Number(/"startupMs":(\d+)/.exec(worker.output())?.[1]);
    // The target is 2 s (bench/worker-start.ts measures it); this only catches a gross regression on a busy test machine.
    expect(startupMs).toBeGreaterThan(0);
    expect(startupMs).toBeLessThan(10_000);
  });
});
