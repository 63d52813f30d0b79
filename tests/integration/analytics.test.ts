import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as catalogRoute from "@/app/api/analytics/catalog/route";
import * as overviewRoute from "@/app/api/analytics/overview/route";
import { getAgentCatalog, type CatalogRow } from "@/lib/analytics/catalog";
import { getOverview } from "@/lib/analytics/overview";
import { lastDays } from "@/lib/analytics/range";
import type { Member } from "@/lib/auth/member";
import { db, poolOf } from "@/lib/db/client";
import type { Cost } from "@/lib/engine/ports";
import { createWorkflow, duplicateWorkflow } from "@/lib/workflows/service";
import { exportWorkflow, importWorkflow } from "@/lib/workflows/transfer";
import { createTestMember } from "./helpers/members";
import { routeRequest, signUpUser } from "./helpers/session";

/**
 * The Overview and the agent catalog over a seeded set of runs and steps (several days, statuses,
 * workflows, models, members and currencies): every figure equals the same figure computed here by
 * a plainer query (and percentiles by a JS percentile_cont), a hand-checked day matches numbers
 * worked out by hand, and another workspace's runs (even by the same user) never count.
 */

const graph = { version: 1, nodes: [], edges: [] };
const DAY = 24 * 3600_000;
const STATUSES = ["succeeded", "failed", "succeeded", "cancelled", "succeeded", "waiting", "failed", "queued", "running"] as const;
type Status = (typeof STATUSES)[number];

let member: Member;
let colleagueId: string;
let foreign: Member;
let providerId: string;
const wf: Record<"active" | "idle" | "draft" | "helper", string> = { active: "", idle: "", draft: "", helper: "" };
/** The hand-checked day: 20 days ago. */
let handDay: string;

const todayStart = () => Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
const at = (daysAgo: number, minutes: number) => new Date(todayStart() - daysAgo * DAY + minutes * 60_000);

interface SeedStep {
  model?: string;
  providerId?: string;
  tokens: number;
  cost?: Cost;
  reused?: boolean;
}

interface SeedRun {
  workspaceId: string;
  workflowId: string | null;
  workflowName: string;
  status: Status;
  createdAt: Date;
  durationMs?: number;
  createdById: string | null;
  cost?: Cost;
  steps?: SeedStep[];
  parentRunId?: string;
}

async function insertRun(run: SeedRun): Promise<string> {
  const id = randomUUID();
  const started = run.status === "queued" ? null : new Date(run.createdAt.getTime() + 50);
  const ended = ["succeeded", "failed", "cancelled"].includes(run.status) ? new Date(started!.getTime() + (run.durationMs ?? 500)) : null;
  const steps = run.steps ?? [];
  const spent = steps.filter((s) => !s.reused);
  const tokens = spent.reduce((sum, s) => sum + s.tokens, 0);
  await db().run.create({
    data: {
      id,
      workspaceId: run.workspaceId,
      workflowId: run.workflowId,
      workflowName: run.workflowName,
      graph,
      inputs: {},
      status: run.status,
      createdAt: run.createdAt,
      startedAt: started,
      finishedAt: ended,
      createdById: run.createdById,
      promptTokens: Math.floor(tokens / 2),
      completionTokens: tokens - Math.floor(tokens / 2),
      totalTokens: tokens,
      parentRunId: run.parentRunId ?? null,
      ...(run.cost ? { cost: run.cost } : {}),
    },
  });
  await db().runStep.createMany({
    data: [
      // A step that calls no model: never in the per-model figures.
      { runId: id, nodeId: "start", nodeType: "start", status: "succeeded", startedAt: run.createdAt },
      ...steps.map((s, index) => ({
        runId: id,
        nodeId: `llm_${index}`,
        nodeType: "llm",
        status: "succeeded" as const,
        detail: { model: s.model, ...(s.providerId ? { providerId: s.providerId } : {}), ...(s.cost ? { cost: s.cost } : {}) },
        promptTokens: s.reused ? 0 : Math.floor(s.tokens / 2),
        completionTokens: s.reused ? 0 : s.tokens - Math.floor(s.tokens / 2),
        totalTokens: s.reused ? 0 : s.tokens,
        ...(s.cost && !s.reused ? { cost: s.cost } : {}),
        reusedFromStepId: s.reused ? randomUUID() : null,
        startedAt: run.createdAt,
      })),
    ],
  });
  return id;
}

const COSTS: (Cost | undefined)[] = [{ USD: 0.0123 }, { CNY: 0.5 }, { USD: 0.002, CNY: 0.25 }, undefined];

async function seed() {
  member = await createTestMember("viewer");
  foreign = await createTestMember("owner");
  const colleague = await db().user.create({ data: { id: randomUUID(), name: "Colleague", email: `colleague-${randomUUID().slice(0, 8)}@example.test` } });
  colleagueId = colleague.id;
  await db().membership.create({ data: { workspaceId: member.workspaceId, userId: colleagueId, role: "editor" } });
  providerId = (await db().modelProvider.create({ data: { workspaceId: member.workspaceId, name: "Test OpenAI", kind: "openai", baseUrl: "http://127.0.0.1:1/v1", models: ["gpt-test"] } })).id;

  const make = (name: string, createdById: string | null) => db().workflow.create({ data: { workspaceId: member.workspaceId, name, graph, createdById } });
  wf.active = (await make("Support agent", member.userId)).id;
  wf.idle = (await make("Old report", colleagueId)).id;
  wf.draft = (await make("Draft idea", null)).id;
  wf.helper = (await make("Sub helper", member.userId)).id;
  for (const [workflowId, version] of [[wf.active, 1], [wf.active, 2], [wf.idle, 1], [wf.helper, 1]] as const) {
    await db().workflowVersion.create({ data: { workflowId, version, graph } });
  }

  // Sixty runs over the last twelve days (none on the two days before), every status, three
  // initiators, three workflows (one deleted), costs in USD, CNY, both or none.
  const users = [member.userId, colleagueId, null];
  const targets = [
    { workflowId: wf.active, workflowName: "Support agent" },
    { workflowId: null, workflowName: "Gone workflow" },
    { workflowId: wf.active, workflowName: "Support agent (old name)" },
  ];
  let parentRunId: string | undefined;
  for (let i = 0; i < 60; i++) {
    const cost = COSTS[i % COSTS.length];
    const steps: SeedStep[] = [{ model: i % 2 ? "gpt-test" : "qwen-test", providerId: i % 2 ? providerId : undefined, tokens: 10 * i + 7, cost }];
    if (i % 5 === 0) steps.push({ model: "gpt-test", providerId, tokens: 999, cost: { USD: 100 }, reused: true });
    const id = await insertRun({
      workspaceId: member.workspaceId,
      ...targets[i % targets.length]!,
      status: STATUSES[i % STATUSES.length]!,
      createdAt: at(i % 12, 30 + i * 7),
      durationMs: ((i * 137) % 5000) + 100,
      createdById: users[i % users.length]!,
      cost,
      steps,
    });
    parentRunId ??= id;
  }
  // A sub-workflow's child runs: runs of their own workflow, which is therefore not idle.
  for (let i = 0; i < 3; i++) {
    await insertRun({ workspaceId: member.workspaceId, workflowId: wf.helper, workflowName: "Sub helper", status: "succeeded", createdAt: at(i, 600), durationMs: 300, createdById: member.userId, parentRunId });
  }
  // The idle workflow ran only 40 days ago.
  await insertRun({ workspaceId: member.workspaceId, workflowId: wf.idle, workflowName: "Old report", status: "succeeded", createdAt: at(40, 60), createdById: colleagueId, cost: { EUR: 3 } });

  // The hand-checked day, 20 days ago.
  handDay = at(20, 0).toISOString().slice(0, 10);
  const hand = (status: Status, durationMs: number, createdById: string | null, cost?: Cost) =>
    insertRun({ workspaceId: member.workspaceId, workflowId: wf.active, workflowName: "Support agent", status, createdAt: at(20, 120), durationMs, createdById, cost });
  await hand("succeeded", 1000, member.userId, { USD: 0.1 });
  await hand("succeeded", 2000, colleagueId, { USD: 0.2 });
  await hand("succeeded", 4000, null, { CNY: 1.5 });
  await hand("failed", 3000, member.userId);
  await hand("cancelled", 9000, colleagueId);
  await hand("queued", 0, null);

  // Another workspace, same days, even the same user as initiator: never counted.
  const foreignWorkflow = await db().workflow.create({ data: { workspaceId: foreign.workspaceId, name: "Foreign", graph, createdById: member.userId } });
  for (let i = 0; i < 14; i++) {
    await insertRun({
      workspaceId: foreign.workspaceId,
      workflowId: foreignWorkflow.id,
      workflowName: "Foreign",
      status: "failed",
      createdAt: at(i, 90),
      durationMs: 99_999,
      createdById: member.userId,
      cost: { USD: 1000 },
      steps: [{ model: "foreign-model", tokens: 100_000, cost: { USD: 1000 } }],
    });
  }
}

beforeAll(seed, 60_000);

afterAll(async () => {
  await db().$disconnect();
});

// ---------- the independent figures ----------

const sql = async <T = Record<string, unknown>>(text: string, params: unknown[]) => (await poolOf(db()).query(text, params)).rows as T[];

/** percentile_cont as PostgreSQL defines it: linear interpolation between the closest ranks. */
function percentile(values: number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = fraction * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

function expectCost(actual: Cost, expected: Cost, label: string) {
  expect(Object.keys(actual).sort(), label).toEqual(Object.keys(expected).sort());
  for (const [currency, amount] of Object.entries(expected)) expect(actual[currency], `${label} ${currency}`).toBeCloseTo(amount, 8);
}

function expectRate(actual: number | null, expected: number | null, label: string) {
  if (expected === null) expect(actual, label).toBeNull();
  else expect(actual, label).toBeCloseTo(expected, 10);
}

/** Runs of the member's workspace whose UTC date is in from..to, one row each, for grouping in JS. */
interface PlainRun {
  day: string;
  status: Status;
  workflowKey: string;
  userId: string | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  durationMs: number | null;
  cost: Cost | null;
}

async function plainRuns(workspaceId: string, from: string, to: string): Promise<PlainRun[]> {
  return sql<PlainRun>(
    `SELECT "createdAt"::date::text AS day, status::text, COALESCE("workflowId", 'deleted:' || "workflowName") AS "workflowKey",
       "createdById" AS "userId", "promptTokens", "completionTokens", "totalTokens",
       CASE WHEN status IN ('succeeded', 'failed') THEN (EXTRACT(EPOCH FROM "finishedAt" - "startedAt") * 1000)::float8 END AS "durationMs", cost
     FROM runs WHERE "workspaceId" = $1 AND "createdAt"::date BETWEEN $2::date AND $3::date`,
    [workspaceId, from, to],
  );
}

/** Cost by currency of a set of runs, summed by PostgreSQL from the stored JSON. */
async function costOf(workspaceId: string, from: string, to: string, where = "true", params: unknown[] = []): Promise<Cost> {
  const rows = await sql<{ currency: string; amount: number }>(
    `SELECT c.key AS currency, sum(c.value::numeric)::float8 AS amount
     FROM runs, jsonb_each_text(runs.cost) c
     WHERE "workspaceId" = $1 AND "createdAt"::date BETWEEN $2::date AND $3::date AND ${where}
     GROUP BY c.key`,
    [workspaceId, from, to, ...params],
  );
  return Object.fromEntries(rows.map((row) => [row.currency, row.amount]));
}

function figuresOf(runs: PlainRun[]) {
  const count = (status: Status) => runs.filter((r) => r.status === status).length;
  const durations = runs.map((r) => r.durationMs).filter((d): d is number => d !== null);
  const ended = count("succeeded") + count("failed");
  return {
    runs: runs.length,
    succeeded: count("succeeded"),
    failed: count("failed"),
    cancelled: count("cancelled"),
    queued: count("queued"),
    running: count("running"),
    waiting: count("waiting"),
    promptTokens: runs.reduce((sum, r) => sum + r.promptTokens, 0),
    completionTokens: runs.reduce((sum, r) => sum + r.completionTokens, 0),
    totalTokens: runs.reduce((sum, r) => sum + r.totalTokens, 0),
    p50Ms: percentile(durations, 0.5),
    p95Ms: percentile(durations, 0.95),
    successRate: ended > 0 ? count("succeeded") / ended : null,
  };
}

function sumCosts(runs: PlainRun[]): Cost {
  const sum: Cost = {};
  for (const run of runs) for (const [currency, amount] of Object.entries(run.cost ?? {})) sum[currency] = (sum[currency] ?? 0) + amount;
  return sum;
}

function expectFigures(actual: ReturnType<typeof figuresOf> & { p50Ms: number | null; p95Ms: number | null }, expected: ReturnType<typeof figuresOf>, label: string) {
  const { p50Ms, p95Ms, successRate, ...counts } = expected;
  expect(actual, label).toMatchObject(counts);
  for (const [name, value] of [["p50", p50Ms], ["p95", p95Ms]] as const) {
    const got = name === "p50" ? actual.p50Ms : actual.p95Ms;
    if (value === null) expect(got, `${label} ${name}`).toBeNull();
    else expect(got, `${label} ${name}`).toBeCloseTo(value, 6);
  }
  expectRate(actual.successRate, successRate, `${label} success rate`);
}

// ---------- the tests ----------

describe("getOverview", () => {
  const range = () => ({ from: lastDays(14).from, to: lastDays(14).to });

  it("totals: run counts by status, success rate, p50/p95, tokens and cost per currency equal the plain query's", async () => {
    const { from, to } = range();
    const overview = await getOverview(member, { from, to });
    const runs = await plainRuns(member.workspaceId, from, to);
    expect(runs.length).toBe(63);
    expect(overview.range).toMatchObject({ from, to, preset: null, days: 14 });
    expect(overview.timeZone).toBe("UTC");
    expectFigures({ ...overview.totals }, figuresOf(runs), "totals");
    expectCost(overview.totals.cost, await costOf(member.workspaceId, from, to), "total cost");
    expect(overview.currencies).toEqual(["CNY", "USD"]);
  });

  it("per day: every day of the range in order, days without runs as zeros, each day's figures and cost", async () => {
    const { from, to } = range();
    const overview = await getOverview(member, { from, to });
    const runs = await plainRuns(member.workspaceId, from, to);
    const expectedDays = Array.from({ length: 14 }, (_, i) => new Date(Date.parse(`${from}T00:00:00Z`) + i * DAY).toISOString().slice(0, 10));
    expect(overview.days.map((d) => d.day)).toEqual(expectedDays);
    for (const day of overview.days) {
      const ofDay = runs.filter((r) => r.day === day.day);
      expectFigures({ ...day }, figuresOf(ofDay), day.day);
      expectCost(day.cost, sumCosts(ofDay), `${day.day} cost`);
      expectCost(day.cost, await costOf(member.workspaceId, day.day, day.day), `${day.day} cost (SQL)`);
    }
    // Runs were seeded on the last twelve days only: the two oldest days are zeros.
    expect(overview.days.slice(0, 2).map((d) => [d.runs, d.totalTokens, d.p50Ms, d.successRate, d.cost])).toEqual([
      [0, 0, null, null, {}],
      [0, 0, null, null, {}],
    ]);
  });

  it("per workflow (a deleted one by its name) and per member (runs without a user as one group)", async () => {
    const { from, to } = range();
    const overview = await getOverview(member, { from, to });
    const runs = await plainRuns(member.workspaceId, from, to);

    const workflowKeys = [...new Set(runs.map((r) => r.workflowKey))].sort();
    expect(overview.byWorkflow.map((w) => w.workflowId ?? `deleted:${w.name}`).sort()).toEqual(workflowKeys);
    for (const row of overview.byWorkflow) {
      const key = row.workflowId ?? `deleted:${row.name}`;
      const ofWorkflow = runs.filter((r) => r.workflowKey === key);
      expectFigures({ ...row }, figuresOf(ofWorkflow), row.name);
      expectCost(row.cost, sumCosts(ofWorkflow), `${row.name} cost`);
    }
    // The current name, not the one a run was started under.
    expect(overview.byWorkflow.find((w) => w.workflowId === wf.active)?.name).toBe("Support agent");
    expect(overview.byWorkflow.find((w) => w.workflowId === null)?.name).toBe("Gone workflow");

    expect(overview.byMember.map((m) => m.userId)).toEqual(expect.arrayContaining([member.userId, colleagueId, null]));
    expect(overview.byMember).toHaveLength(3);
    expect(overview.byMember.at(-1)?.userId).toBeNull();
    for (const row of overview.byMember) {
      const ofMember = runs.filter((r) => r.userId === row.userId);
      expectFigures({ ...row }, figuresOf(ofMember), `member ${row.userId}`);
      expectCost(row.cost, sumCosts(ofMember), `member ${row.userId} cost`);
    }
    expect(overview.byMember.find((m) => m.userId === colleagueId)).toMatchObject({ name: "Colleague" });
    expect(overview.byMember.find((m) => m.userId === null)).toMatchObject({ name: null, email: null });
  });

  it("per model: the model-calling steps' tokens and cost, without steps copied from an earlier run", async () => {
    const { from, to } = range();
    const overview = await getOverview(member, { from, to });
    const expected = await sql<{ model: string; steps: number; tokens: number }>(
      `SELECT s.detail->>'model' AS model, count(*)::int AS steps, sum(s."totalTokens")::int AS tokens
       FROM run_steps s JOIN runs r ON r.id = s."runId"
       WHERE r."workspaceId" = $1 AND r."createdAt"::date BETWEEN $2::date AND $3::date AND s."reusedFromStepId" IS NULL AND s.detail ? 'model'
       GROUP BY 1 ORDER BY 1`,
      [member.workspaceId, from, to],
    );
    expect(overview.byModel.map((m) => ({ model: m.model, steps: m.steps, tokens: m.totalTokens })).sort((a, b) => a.model.localeCompare(b.model))).toEqual(expected);
    for (const row of overview.byModel) {
      const costs = await sql<{ currency: string; amount: number }>(
        `SELECT c.key AS currency, sum(c.value::numeric)::float8 AS amount
         FROM run_steps s JOIN runs r ON r.id = s."runId", jsonb_each_text(s.cost) c
         WHERE r."workspaceId" = $1 AND r."createdAt"::date BETWEEN $2::date AND $3::date AND s."reusedFromStepId" IS NULL AND s.detail->>'model' = $4
         GROUP BY 1`,
        [member.workspaceId, from, to, row.model],
      );
      expectCost(row.cost, Object.fromEntries(costs.map((c) => [c.currency, c.amount])), `${row.model} cost`);
    }
    expect(overview.byModel.find((m) => m.model === "gpt-test")).toMatchObject({ providerId, providerName: "Test OpenAI" });
    expect(overview.byModel.find((m) => m.model === "qwen-test")).toMatchObject({ providerId: null, providerName: null });
    // Every priced call is on a model step here, so the models' costs add up to the runs' cost.
    const byCurrency: Cost = {};
    for (const row of overview.byModel) for (const [c, a] of Object.entries(row.cost)) byCurrency[c] = (byCurrency[c] ?? 0) + a;
    expectCost(byCurrency, overview.totals.cost, "models vs total");
  });

  it("matches a day worked out by hand", async () => {
    const overview = await getOverview(member, { from: handDay, to: handDay });
    // Durations of the runs that ended: 1000, 2000, 4000 (succeeded), 3000 (failed).
    expect(overview.totals).toMatchObject({ runs: 6, succeeded: 3, failed: 1, cancelled: 1, queued: 1, p50Ms: 2500, successRate: 0.75 });
    // 3000 + 0.85 × (4000 − 3000), in floating point.
    expect(overview.totals.p95Ms).toBeCloseTo(3850, 6);
    expectCost(overview.totals.cost, { USD: 0.3, CNY: 1.5 }, "hand cost");
    expect(overview.days).toHaveLength(1);
    // Two runs each; "API / other" (no user) comes last.
    expect(overview.byMember.at(-1)).toMatchObject({ userId: null, runs: 2, succeeded: 1, failed: 0 });
    expect(overview.byMember.find((m) => m.userId === member.userId)).toMatchObject({ runs: 2, succeeded: 1, failed: 1, successRate: 0.5 });
    expect(overview.byMember.find((m) => m.userId === colleagueId)).toMatchObject({ runs: 2, succeeded: 1, failed: 0, cancelled: 1, successRate: 1 });
    expect(overview.byWorkflow).toHaveLength(1);
    expect(overview.byModel).toEqual([]);
  });

  it("the 7-day preset covers today and the six days before", async () => {
    const overview = await getOverview(member, { range: "7d" });
    const { from, to } = lastDays(7);
    expect(overview.range).toMatchObject({ from, to, preset: "7d", days: 7 });
    expect(overview.days).toHaveLength(7);
    expect(overview.totals.runs).toBe((await plainRuns(member.workspaceId, from, to)).length);
  });

  it("an empty range: zeros on every day, no percentiles or rates, no breakdown rows", async () => {
    const overview = await getOverview(member, { from: "2020-01-01", to: "2020-01-31" });
    expect(overview.totals).toMatchObject({ runs: 0, succeeded: 0, totalTokens: 0, p50Ms: null, p95Ms: null, successRate: null, cost: {} });
    expect(overview.days).toHaveLength(31);
    expect(overview.days.every((d) => d.runs === 0 && d.totalTokens === 0 && Object.keys(d.cost).length === 0)).toBe(true);
    expect([overview.byWorkflow, overview.byModel, overview.byMember, overview.currencies]).toEqual([[], [], [], []]);
  });

  it("never counts another workspace's runs, even ones its members started", async () => {
    const { from, to } = range();
    const overview = await getOverview(member, { from, to });
    expect(overview.byModel.map((m) => m.model)).not.toContain("foreign-model");
    expect(overview.byWorkflow.map((w) => w.name)).not.toContain("Foreign");
    expect(overview.totals.cost.USD).toBeLessThan(100);
    const theirs = await getOverview(foreign, { from, to });
    expect(theirs.totals).toMatchObject({ runs: 14, failed: 14 });
    expectCost(theirs.totals.cost, { USD: 14_000 }, "foreign cost");
    expect(theirs.byMember.map((m) => m.userId)).toEqual([member.userId]);
  });

  it("refuses a bad range with invalid_request", async () => {
    await expect(getOverview(member, { from: "2026-02-30", to: "2026-03-01" })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(getOverview(member, { from: "2026-03-02", to: "2026-03-01" })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(getOverview(member, { from: "2020-01-01", to: "2026-01-01" })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(getOverview(member, { range: "1y" })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(getOverview(member, { from: "2026-01-01" })).rejects.toMatchObject({ code: "invalid_request" });
  });
});

describe("getAgentCatalog", () => {
  let rows: CatalogRow[];
  beforeAll(async () => {
    rows = await getAgentCatalog(member);
  });
  const row = (id: string) => rows.find((r) => r.id === id)!;

  it("lists every workflow of the workspace, and only those", async () => {
    expect(rows.map((r) => r.name)).toEqual(["Draft idea", "Old report", "Sub helper", "Support agent"]);
  });

  it("runs and cost over 7 and 30 days, error rate and last run equal the plain query's", async () => {
    const last7 = lastDays(7);
    const last30 = lastDays(30);
    for (const r of rows) {
      const [counts] = await sql<{ runs7: number; runs30: number; succeeded: number; failed: number }>(
        `SELECT count(*) FILTER (WHERE "createdAt"::date >= $2::date)::int AS runs7, count(*) FILTER (WHERE "createdAt"::date >= $3::date)::int AS runs30,
           count(*) FILTER (WHERE "createdAt"::date >= $3::date AND status = 'succeeded')::int AS succeeded,
           count(*) FILTER (WHERE "createdAt"::date >= $3::date AND status = 'failed')::int AS failed
         FROM runs WHERE "workflowId" = $1`,
        [r.id, last7.from, last30.from],
      );
      expect({ runs7: r.runs7, runs30: r.runs30, succeeded: r.succeeded30, failed: r.failed30 }, r.name).toEqual(counts);
      expectRate(r.errorRate, counts!.succeeded + counts!.failed > 0 ? counts!.failed / (counts!.succeeded + counts!.failed) : null, `${r.name} error rate`);
      expectCost(r.cost7, await costOf(member.workspaceId, last7.from, last7.to, `"workflowId" = $4`, [r.id]), `${r.name} cost 7d`);
      expectCost(r.cost30, await costOf(member.workspaceId, last30.from, last30.to, `"workflowId" = $4`, [r.id]), `${r.name} cost 30d`);
      const [last] = await sql<{ id: string }>(`SELECT id FROM runs WHERE "workflowId" = $1 ORDER BY "createdAt" DESC LIMIT 1`, [r.id]);
      expect(r.lastRunId, `${r.name} last run`).toBe(last?.id ?? null);
    }
  });

  it("owner, published version and the idle flag, checked by hand", () => {
    expect(row(wf.active)).toMatchObject({ ownerId: member.userId, ownerName: member.name, publishedVersion: 2, idle: false });
    expect(row(wf.idle)).toMatchObject({ ownerId: colleagueId, ownerName: "Colleague", publishedVersion: 1, runs7: 0, runs30: 0, idle: true, errorRate: null, cost30: {} });
    expect(row(wf.idle).lastRunAt!.getTime()).toBe(at(40, 60).getTime());
    // Never published: not idle, however unused.
    expect(row(wf.draft)).toMatchObject({ ownerId: null, ownerName: null, publishedVersion: null, lastRunId: null, runs30: 0, idle: false });
    // Called only as a sub-workflow: still in use.
    expect(row(wf.helper)).toMatchObject({ runs7: 3, runs30: 3, errorRate: 0, idle: false });
  });
});

describe("workflow owners", () => {
  it("the creator owns a workflow they create, duplicate or import", async () => {
    const editor = await createTestMember("editor");
    const created = await createWorkflow(editor, {
      name: "Mine",
      graph: {
        version: 1,
        nodes: [
          { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
          { id: "end", type: "end", position: { x: 300, y: 0 }, data: { outputs: [] } },
        ],
        edges: [{ id: "e1", source: "start", target: "end" }],
      },
    });
    const copy = await duplicateWorkflow(editor, created.id);
    const imported = await importWorkflow(editor, { file: await exportWorkflow(editor, created.id), name: "Imported" });
    const owners = await db().workflow.findMany({ where: { id: { in: [created.id, copy.id, imported.id] } }, select: { createdById: true } });
    expect(owners.map((o) => o.createdById)).toEqual([editor.userId, editor.userId, editor.userId]);
  });
});

describe("the analytics routes", () => {
  it("answer the signed-in member's figures, and 400 for a bad range", async () => {
    const user = await signUpUser("Analyst");
    const overview = await overviewRoute.GET(routeRequest("GET", "/api/analytics/overview?range=7d", user.cookie));
    expect(overview.status).toBe(200);
    const body = await overview.json();
    expect(body).toMatchObject({ timeZone: "UTC", range: { preset: "7d", days: 7 }, totals: { runs: 0 } });
    expect(body.days).toHaveLength(7);
    const bad = await overviewRoute.GET(routeRequest("GET", "/api/analytics/overview?from=2026-01-05&to=2026-01-01", user.cookie));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ code: "invalid_request", issues: [{ path: "to" }] });
    const catalog = await catalogRoute.GET(routeRequest("GET", "/api/analytics/catalog", user.cookie));
    expect(catalog.status).toBe(200);
    expect(await catalog.json()).toEqual({ workflows: [] });
    expect((await overviewRoute.GET(routeRequest("GET", "/api/analytics/overview", null))).status).toBe(401);
  });
});
