/**
 * The Overview and agent catalog on a large workspace: seeds RUNS runs (3 steps each, one a model
 * call; half priced in USD, half in CNY) over 90 days into one workspace and as many into another,
 * then times getOverview for 7, 30 and 90 days and getAgentCatalog (median of 3), and prints which
 * index each statement's runs and steps come from. Prints figures, asserts nothing.
 *
 *   node --import tsx bench/analytics.ts [--runs 100000]
 *
 * Uses its own database (BENCH_DATABASE_URL, default weft_bench_analytics, reset at start).
 */
import { ensureDatabase } from "../scripts/lib/database";

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
const RUNS = Number(arg("runs", "100000"));

Object.assign(process.env, {
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_bench_analytics",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: "weft-bench-analytics",
  WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
  BETTER_AUTH_SECRET: "bench-secret-0123456789-0123456789",
  BETTER_AUTH_URL: "http://localhost:3000",
  LOG_LEVEL: "warn",
});

const SEED = `
INSERT INTO workspaces (id, name) VALUES ('bench-ws', 'Bench'), ('bench-other', 'Other');
INSERT INTO users (id, name, email, "updatedAt") SELECT 'bench-u' || i, 'User ' || i, 'bench' || i || '@example.test', now() FROM generate_series(1, 10) i;
INSERT INTO workflows (id, "workspaceId", name, graph, "createdById", "updatedAt")
  SELECT ws || '-wf' || i, ws, 'Workflow ' || i, '{}', 'bench-u' || (i % 10 + 1), now() FROM generate_series(1, 50) i, unnest(ARRAY['bench-ws', 'bench-other']) ws;
INSERT INTO runs (id, "workspaceId", "workflowId", "workflowName", graph, inputs, status, "promptTokens", "completionTokens", "totalTokens", cost, "createdById", "createdAt", "startedAt", "finishedAt")
  SELECT ws || '-run' || i, ws, ws || '-wf' || (i % 50 + 1), 'Workflow', '{}', '{}',
    (ARRAY['succeeded', 'succeeded', 'succeeded', 'failed', 'cancelled', 'running'])[i % 6 + 1]::"RunStatus",
    i % 500, i % 500, 2 * (i % 500),
    CASE WHEN i % 2 = 0 THEN jsonb_build_object('USD', (i % 100) / 10000.0) ELSE jsonb_build_object('CNY', (i % 100) / 1000.0) END,
    CASE WHEN i % 4 = 0 THEN NULL ELSE 'bench-u' || (i % 10 + 1) END,
    t, t + interval '1 second', t + (i % 5000) * interval '1 millisecond' + interval '2 seconds'
  FROM generate_series(1, $1::int) i, unnest(ARRAY['bench-ws', 'bench-other']) ws,
    LATERAL (SELECT (now() AT TIME ZONE 'UTC') - (i % 129600) * interval '1 minute' AS t) times;
INSERT INTO run_steps (id, "runId", "nodeId", "nodeType", status, detail, "promptTokens", "completionTokens", "totalTokens", cost, "startedAt")
  SELECT r.id || '-' || n, r.id, 'n' || n, CASE WHEN n = 2 THEN 'llm' ELSE 'code' END, 'succeeded',
    CASE WHEN n = 2 THEN jsonb_build_object('model', CASE WHEN r."totalTokens" % 4 = 0 THEN 'gpt-4o' ELSE 'qwen-max' END, 'messages', '[]'::jsonb) ELSE '{"log": "x"}' END,
    CASE WHEN n = 2 THEN r."promptTokens" ELSE 0 END, CASE WHEN n = 2 THEN r."completionTokens" ELSE 0 END, CASE WHEN n = 2 THEN r."totalTokens" ELSE 0 END,
    CASE WHEN n = 2 THEN r.cost END, r."createdAt"
  FROM runs r, generate_series(1, 3) n;
ANALYZE;`;

await ensureDatabase(process.env.DATABASE_URL!, { reset: true, quiet: true });
const { db, poolOf } = await import("@/lib/db/client");
const { getOverview } = await import("@/lib/analytics/overview");
const { getAgentCatalog } = await import("@/lib/analytics/catalog");
const pool = poolOf(db());

let started = performance.now();
for (const statement of SEED.split(";").map((s) => s.trim()).filter(Boolean)) await pool.query(statement, statement.includes("$1") ? [RUNS] : []);
console.log(`seeded ${RUNS} runs (and ${3 * RUNS} steps) in each of two workspaces in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const member = { userId: "bench-u1", email: "bench1@example.test", name: "User 1", workspaceId: "bench-ws", workspaceName: "Bench", role: "viewer" as const };

async function median(label: string, work: () => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`${label}: median ${times[1]!.toFixed(0)} ms, best ${times[0]!.toFixed(0)} ms`);
}

for (const range of ["7d", "30d", "90d"]) await median(`getOverview ${range} (5 statements in parallel)`, () => getOverview(member, { range }));
await median("getAgentCatalog", () => getAgentCatalog(member));

// Which scans the statements use: each statement once more under EXPLAIN, on the same pool.
const query = pool.query.bind(pool);
const plans: string[] = [];
Object.assign(pool, {
  query: async (text: string, values: unknown[]) => {
    const { rows } = await query(`EXPLAIN ${text}`, values);
    plans.push(rows.map((row: Record<string, string>) => row["QUERY PLAN"]).filter((line: string) => / on (runs|run_steps)\b/.test(line)).map((line: string) => line.trim().replace(/\s+\(cost.*$/, "")).join("; "));
    return { rows: [] };
  },
});
await getOverview(member, { range: "7d" }).catch(() => undefined);
await getAgentCatalog(member).catch(() => undefined);
console.log("scans of runs and run_steps, one line per statement (7 days, then the catalog):");
for (const plan of plans) console.log(`  ${plan}`);
await db().$disconnect();
