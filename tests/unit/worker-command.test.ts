import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot, WORKER_BUNDLE, workerArgs } from "@/scripts/lib/worker-command";

const scripts = (JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

/** Tests, benchmarks and the quick start start the same compiled worker that `npm run worker` runs (issue #9, point 3). */
describe("the worker command", () => {
  it("npm run worker runs the compiled bundle with bare node, no TypeScript loader", () => {
    expect(scripts.worker).toBe(`node ${workerArgs().join(" ")}`);
    expect(scripts.worker).not.toMatch(/tsx/);
    expect(workerArgs()).toContain(WORKER_BUNDLE);
  });

  it("npm run build builds the worker after the web app; the TypeScript entry stays for development", () => {
    expect(scripts.build).toMatch(/next build && npm run build:worker$/);
    expect(scripts["build:worker"]).toContain("scripts/build-worker.ts");
    expect(scripts["worker:dev"]).toBe("node --import tsx workers/run-worker.ts");
  });

  it("the quick start runs the compiled worker", () => {
    const quickstart = readFileSync(path.join(projectRoot, "scripts/quickstart.sh"), "utf8");
    expect(quickstart).toContain("npm run build\n");
    expect(quickstart).toContain(`node ${workerArgs().join(" ")} &`);
    expect(quickstart).not.toContain("workers/run-worker.ts");
  });
});
