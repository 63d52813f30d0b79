import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.dirname(new URL(import.meta.url).pathname);

/** Environment shared by every integration test file and the worker processes they start. */
export const integrationEnv = {
  NODE_ENV: "test" as const,
  DATABASE_URL: process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_test",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: process.env.TEST_REDIS_PREFIX ?? "weft-test",
  WEFT_SECRET_KEYS: "test1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
  BETTER_AUTH_SECRET: "integration-test-secret-0123456789",
  BETTER_AUTH_URL: "http://localhost:3000",
  WEFT_ALLOW_PRIVATE_NETWORK: "true",
  LOG_LEVEL: "warn",
  // Suites sign many users up from one (unknown) address; the limits have their own tests,
  // which build an auth instance with them on (tests/integration/auth.limits.test.ts).
  WEFT_AUTH_RATE_LIMIT: "false",
};

export default defineConfig({
  resolve: { alias: { "@": root } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          env: integrationEnv,
          globalSetup: ["tests/integration/global-setup.ts"],
          // One file at a time: files share one database and one Redis prefix.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
