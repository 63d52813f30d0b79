import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/api/openapi";

/**
 * The public API description as a client generator reads it: `openapi-typescript` turns it into
 * types, and a small client written against them must compile. Request fields with defaults are
 * optional (zod's input types), so `{ inputs: {} }` is a whole request body, and so is `{}`.
 */
const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(root, ".typed-client-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const client = `
import type { paths } from "./weft-api";

type StartRun = paths["/api/v1/workflows/{id}/runs"]["post"]["requestBody"]["content"]["application/json"];
type Import = paths["/api/v1/tools/openapi"]["post"]["requestBody"]["content"]["application/json"];
type Accepted = paths["/api/v1/workflows/{id}/runs"]["post"]["responses"]["202"]["content"]["application/json"];

export const minimal: StartRun = {};
export const withInputs: StartRun = { inputs: {} };
export const sync: StartRun = { inputs: { question: "Why?" }, mode: "sync", timeoutMs: 30_000 };
export const byUrl: Import = { url: "https://api.example.com/openapi.json" };
export const runId = (accepted: Accepted): string => accepted.runId;

type HookFailed = paths["/api/hooks/{id}"]["post"]["responses"]["500"]["content"]["application/json"];
type HookHeaders = paths["/api/hooks/{id}"]["post"]["parameters"]["header"];
export const hookError = (failed: HookFailed): string => \`\${failed.runId} \${failed.status}: \${failed.error?.message ?? ""}\`;
export const hookHeaders: HookHeaders = { "Idempotency-Key": "order-42", "X-Weft-Timestamp": "1700000000" };
`;

const tsc = path.join(root, "node_modules/typescript/bin/tsc");
const FLAGS = ["--noEmit", "--strict", "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler", "--skipLibCheck"];

/** tsc's output for one file ("" when it compiles). */
function compile(file: string): string {
  try {
    execFileSync(process.execPath, [tsc, ...FLAGS, path.join(dir, file)], { encoding: "utf8" });
    return "";
  } catch (error) {
    return String((error as { stdout?: string }).stdout) || String(error);
  }
}

describe("the public OpenAPI document with openapi-typescript", () => {
  it("generates types a client compiles against with { inputs: {} }", async () => {
    const types = astToString(await openapiTS(buildOpenApiDocument("https://weft.example.com/") as never));
    writeFileSync(path.join(dir, "weft-api.ts"), types);
    writeFileSync(path.join(dir, "client.ts"), client);
    writeFileSync(
      path.join(dir, "bad.ts"),
      `import type { paths } from "./weft-api";\nexport const wrong: paths["/api/v1/workflows/{id}/runs"]["post"]["requestBody"]["content"]["application/json"] = { inputs: {}, mode: "later" };\n`,
    );
    expect(compile("client.ts")).toBe("");
    // The types are not so loose that anything compiles: a mode that does not exist is refused.
    expect(compile("bad.ts")).toMatch(/"later"/);
  }, 120_000);
});
