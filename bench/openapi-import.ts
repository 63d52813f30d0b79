import { ensureDatabase } from "../scripts/lib/database";
import { GITHUB_SIZE_OPERATIONS, githubSizeSpec } from "../tests/fixtures/openapi/generate-github-size";

/**
 * OpenAPI import on a document of GitHub's size (≈12 MB JSON, 1,223 operations, generated here):
 * the preview (parse + list every operation with its tool name and skipped ones), and imports of
 * 5 operations and of all of them into PostgreSQL through the same service the routes call.
 * Prints medians; asserts nothing. Targets (issue 14): preview ≤ 3 s, a handful ≤ 1 s, all ≤ 10 s.
 *   node --import tsx bench/openapi-import.ts [--rounds 3]
 * Uses its own database (BENCH_DATABASE_URL, default weft_bench_openapi, reset at start).
 */
const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
const ROUNDS = Number(arg("rounds", "3"));

Object.assign(process.env, {
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_bench_openapi",
  WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
  BETTER_AUTH_SECRET: "bench-secret-0123456789-0123456789",
  WEFT_STORAGE_DIR: process.env.WEFT_STORAGE_DIR ?? "/tmp/weft-bench-openapi-storage",
  LOG_LEVEL: "warn",
});

await ensureDatabase(process.env.DATABASE_URL!, { reset: true, quiet: true });
const { db } = await import("@/lib/db/client");
const { previewOpenApi, importOpenApi } = await import("@/lib/tools/openapi");

await db().$executeRawUnsafe(`INSERT INTO workspaces (id, name) VALUES ('bench-ws', 'Bench')`);
await db().$executeRawUnsafe(`INSERT INTO users (id, name, email, "updatedAt") VALUES ('bench-u', 'Bench', 'bench@example.test', now())`);
const member = { userId: "bench-u", email: "bench@example.test", name: "Bench", workspaceId: "bench-ws", workspaceName: "Bench", role: "owner" as const };

const text = JSON.stringify(githubSizeSpec());
console.log(`document: ${(text.length / 1024 / 1024).toFixed(1)} MiB, ${GITHUB_SIZE_OPERATIONS} operations; ${ROUNDS} rounds, median shown`);

async function measure(label: string, work: (round: number) => Promise<string>) {
  const times: number[] = [];
  let detail = "";
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    detail = await work(round);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const rss = process.memoryUsage().rss / 1024 / 1024;
  console.log(`${label.padEnd(34)} median ${times[Math.floor(times.length / 2)]!.toFixed(0).padStart(6)} ms  best ${times[0]!.toFixed(0).padStart(6)} ms  rss ${rss.toFixed(0)} MiB  ${detail}`);
}

let keys: string[] = [];
await measure("preview (parse + list)", async () => {
  const preview = await previewOpenApi(member, { text });
  keys = preview.operations.map((op) => op.key);
  return `${preview.operations.length} listed, ${preview.skipped.length} skipped`;
});
await measure("import 5 operations", async (round) => {
  const result = await importOpenApi(member, { text, sourceName: `five-${round}`, operations: keys.slice(round * 5, round * 5 + 5), auth: { type: "none" } });
  return `${result.created} created`;
});
await measure(`import all ${GITHUB_SIZE_OPERATIONS} operations`, async (round) => {
  const result = await importOpenApi(member, { text, sourceName: `all-${round}`, auth: { type: "none" } });
  return `${result.created} created`;
});
await measure(`re-import all (nothing changed)`, async () => {
  const result = await importOpenApi(member, { text, sourceName: "all-0", auth: { type: "none" } });
  return `${result.updated} updated`;
});
await db().$disconnect();
