import { defineConfig } from "@playwright/test";
import { webArgs } from "./scripts/lib/web-command";
import { E2E_PORT, e2eEnv } from "./tests/e2e/env";

/**
 * End-to-end tests in Debian's Chromium (never a downloaded browser) against the production
 * build: `npm run build` + the web process as `npm start` runs it, a real worker process and the OpenAI-wire test server
 * (the last two started by tests/e2e/global-setup.ts).
 */
export default defineConfig({
  testDir: "tests/e2e",
  testMatch: "**/*.spec.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  globalSetup: "./tests/e2e/global-setup.ts",
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    viewport: { width: 1600, height: 1000 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    // E2E_SKIP_BUILD=1 reuses the last build while iterating on tests; the suite always builds.
    command: `${process.env.E2E_SKIP_BUILD ? "" : "npm run build && "}node ${webArgs(E2E_PORT).join(" ")}`,
    url: `http://127.0.0.1:${E2E_PORT}/sign-in`,
    timeout: 900_000,
    reuseExistingServer: false,
    env: e2eEnv,
    stdout: "ignore",
    stderr: "pipe",
  },
});
