import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WEB_SERVER, WEB_V8_FLAGS, webArgs } from "@/scripts/lib/web-command";
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
    expect(scripts.build).toMatch(/^next build && npm run build:worker && npm run build:server$/);
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

/** The web process as `npm start` runs it is what the quick start, Playwright and the benchmarks start. */
describe("the web command", () => {
  it("npm start runs the compiled server (Next plus the direct public API path) with bare node and the web's V8 settings", () => {
    const node = ["node", ...WEB_V8_FLAGS].join(" ");
    expect(scripts.start).toBe(`${node} ${WEB_SERVER}`);
    expect(scripts["build:server"]).toContain("scripts/build-server.ts");
    expect(webArgs(3000, "0.0.0.0")).toEqual([...WEB_V8_FLAGS, WEB_SERVER, "-H", "0.0.0.0", "-p", "3000"]);
    // A probe's or a benchmark's flags come after the defaults, so they can override them.
    expect(webArgs(3000, "0.0.0.0", ["--max-semi-space-size=16"]).indexOf("--max-semi-space-size=16")).toBeGreaterThan(webArgs(3000).indexOf(WEB_V8_FLAGS[0]!));
  });

  it("the quick start and the end-to-end suite start that server, not next start", () => {
    const quickstart = readFileSync(path.join(projectRoot, "scripts/quickstart.sh"), "utf8");
    expect(quickstart).toContain(`node ${WEB_V8_FLAGS.join(" ")} ${WEB_SERVER} -p "$PORT" &`);
    expect(quickstart).not.toContain("next start");
    const playwright = readFileSync(path.join(projectRoot, "playwright.config.ts"), "utf8");
    expect(playwright).toContain("webArgs(E2E_PORT)");
    expect(playwright).not.toMatch(/next start/);
  });
});
