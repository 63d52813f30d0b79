import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import type { WeftClient } from "@/lib/client/weft-client";
import { WeftApiError } from "@/lib/client/weft-client";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { listRuns, type ListRunsQuery } from "@/lib/runs/queries";
import { filtersFromSearchParams } from "@/lib/runs/run-search";
import { apiRequest, clientFor, createKey, routeFetch } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";

/**
 * Run search over a seeded set of runs written straight to the database (the search column is
 * set by PostgreSQL's own trigger): each filter alone, full-text search hitting input, output and
 * error text but never JSON keys, run ids, combined filters with keyset paging, the public
 * API's GET /api/v1/runs with the same filters, and another workspace's runs never showing.
 */

const graph = { version: 1, nodes: [], edges: [] };
let member: Member;
let colleague: Member;
let other: Member;
let client: WeftClient;
let keyId: string;
let alpha: string;
let beta: string;
let alphaV1: string;
let alphaV2: string;

interface Seed {
  name: string;
  workflow: "alpha" | "beta";
  version?: 1 | 2;
  status: "succeeded" | "failed" | "running" | "cancelled";
  trigger: string;
  by: "member" | "colleague" | "key";
  day: number;
  durationMs?: number;
  cost?: Record<string, number>;
  inputs: Prisma.InputJsonObject;
  output?: Prisma.InputJsonObject;
  error?: { code: string; message: string };
}

/** Ten runs, one per day of January 2026, each different in the filtered columns. */
const SEEDS: Seed[] = [
  { name: "invoice", workflow: "alpha", status: "succeeded", trigger: "editor", by: "member", day: 1, durationMs: 1_000, cost: { USD: 0.01 }, inputs: { question: "Where is invoice 4711?" }, output: { answer: "It was paid." } },
  { name: "refund-out", workflow: "alpha", version: 1, status: "succeeded", trigger: "api", by: "key", day: 2, durationMs: 5_000, cost: { USD: 0.5 }, inputs: { question: "Hello" }, output: { answer: "Your refund is approved" } },
  { name: "timeout-err", workflow: "beta", version: 1, status: "failed", trigger: "api", by: "key", day: 3, durationMs: 30_000, inputs: { customer: "Grace" }, error: { code: "tool_error", message: "Upstream gateway timeout after retries" } },
  { name: "keys-only", workflow: "beta", status: "succeeded", trigger: "editor", by: "colleague", day: 4, durationMs: 200, cost: { EUR: 2 }, inputs: { zebra: "lion", nested: { giraffe: ["okapi"] } }, output: { count: 98765 } },
  { name: "resume", workflow: "alpha", version: 2, status: "succeeded", trigger: "resume", by: "colleague", day: 5, durationMs: 12_000, cost: { USD: 1.25 }, inputs: { question: "Ship the parcel to Lisbon" }, output: { answer: "Shipped" } },
  { name: "running", workflow: "alpha", version: 2, status: "running", trigger: "api", by: "key", day: 6, inputs: { question: "Still thinking about invoice" } },
  { name: "sub", workflow: "beta", version: 1, status: "succeeded", trigger: "subworkflow", by: "key", day: 7, durationMs: 800, cost: { USD: 0.02 }, inputs: { customer: "Ada" }, output: { greeting: "Hello Ada" } },
  { name: "cancelled", workflow: "alpha", status: "cancelled", trigger: "editor", by: "member", day: 8, durationMs: 60_000, inputs: { question: "Long running report" } },
  { name: "rerun", workflow: "alpha", version: 1, status: "succeeded", trigger: "rerun", by: "member", day: 9, durationMs: 2_500, cost: { USD: 0.2 }, inputs: { question: "Invoice totals for March" }, output: { answer: "Total 300 EUR" } },
  { name: "tool", workflow: "beta", version: 1, status: "failed", trigger: "tool", by: "member", day: 10, durationMs: 400, cost: { USD: 0.05 }, inputs: { who: "Linus" }, error: { code: "http_error", message: "Lisbon office unreachable" } },
];
const ids = new Map<string, string>();

async function seed(s: Seed) {
  const createdAt = new Date(Date.UTC(2026, 0, s.day, 12, 0, 0));
  const startedAt = s.status === "running" || s.durationMs !== undefined ? new Date(createdAt.getTime() + 50) : null;
  const finishedAt = startedAt && s.durationMs !== undefined ? new Date(startedAt.getTime() + s.durationMs) : null;
  const by = s.by === "colleague" ? colleague : member;
  const workflowVersionId = s.version ? (s.workflow === "alpha" ? (s.version === 1 ? alphaV1 : alphaV2) : betaV1) : null;
  const run = await db().run.create({
    data: {
      workspaceId: member.workspaceId,
      workflowId: s.workflow === "alpha" ? alpha : beta,
      workflowName: s.workflow,
      workflowVersionId,
      graph,
      inputs: s.inputs,
      output: s.output,
      error: s.error,
      status: s.status,
      trigger: s.trigger,
      createdById: by.userId,
      apiKeyId: s.by === "key" ? keyId : null,
      apiKeyName: s.by === "key" ? "billing-prod" : null,
      cost: s.cost,
      createdAt,
      startedAt,
      finishedAt,
    },
  });
  ids.set(s.name, run.id);
}
let betaV1: string;

beforeAll(async () => {
  member = await createTestMember("owner");
  colleague = await createTestMember("editor");
  await db().membership.create({ data: { userId: colleague.userId, workspaceId: member.workspaceId, role: "editor" } });
  other = await createTestMember("owner");
  alpha = (await db().workflow.create({ data: { workspaceId: member.workspaceId, name: "alpha", graph } })).id;
  beta = (await db().workflow.create({ data: { workspaceId: member.workspaceId, name: "beta", graph } })).id;
  alphaV1 = (await db().workflowVersion.create({ data: { workflowId: alpha, version: 1, graph } })).id;
  alphaV2 = (await db().workflowVersion.create({ data: { workflowId: alpha, version: 2, graph } })).id;
  betaV1 = (await db().workflowVersion.create({ data: { workflowId: beta, version: 1, graph } })).id;
  const key = await createKey(member, ["runs:read"]);
  keyId = key.id;
  client = clientFor(key.secret);
  for (const s of SEEDS) await seed(s);
  // Another workspace's run with the same words: never found.
  const foreign = await db().workflow.create({ data: { workspaceId: other.workspaceId, name: "foreign", graph } });
  await db().run.create({ data: { workspaceId: other.workspaceId, workflowId: foreign.id, workflowName: "foreign", graph, inputs: { question: "invoice Lisbon refund" }, status: "succeeded" } });
});

afterAll(async () => {
  await db().$disconnect();
});

/** Names of the runs a search finds, newest first. */
async function find(query: ListRunsQuery): Promise<string[]> {
  const page = await listRuns(member, { limit: 100, ...query });
  const byId = new Map([...ids].map(([name, id]) => [id, name]));
  return page.runs.map((run) => byId.get(run.id) ?? `unknown ${run.id}`);
}

/** The seeds matching `keep`, newest first (what a filter must return). */
const expected = (keep: (s: Seed) => boolean) =>
  SEEDS.filter(keep)
    .sort((a, b) => b.day - a.day)
    .map((s) => s.name);

describe("full-text search", () => {
  it("finds words in the inputs, the output and the error", async () => {
    expect(await find({ q: "invoice" })).toEqual(["rerun", "running", "invoice"]);
    expect(await find({ q: "refund" })).toEqual(["refund-out"]); // output only
    expect(await find({ q: "gateway timeout" })).toEqual(["timeout-err"]); // error message
    expect(await find({ q: "lisbon" })).toEqual(["tool", "resume"]); // error and input, any case
    expect(await find({ q: "98765" })).toEqual(["keys-only"]); // numbers are searchable too
    expect(await find({ q: "okapi" })).toEqual(["keys-only"]); // nested string values
  });

  it("a chat turn's run is found by its message, not by the earlier messages of its history; other runs' inputs named history still count", async () => {
    const base = { workspaceId: member.workspaceId, workflowId: alpha, workflowName: "alpha", graph, status: "succeeded" as const };
    const history = [{ role: "user", content: "quokka sighting" }];
    const chat = await db().run.create({ data: { ...base, trigger: "chat", inputs: { message: "numbat question", history } } });
    const api = await db().run.create({ data: { ...base, trigger: "api", inputs: { history: "wombat notes" } } });
    const found = async (q: string) => (await listRuns(member, { limit: 100, q })).runs.map((run) => run.id);
    try {
      expect(await found("numbat")).toEqual([chat.id]);
      expect(await found("quokka")).toEqual([]);
      expect(await found("wombat")).toEqual([api.id]);
    } finally {
      await db().run.deleteMany({ where: { id: { in: [chat.id, api.id] } } });
    }
  });

  it("follows a run's writes: the output and error written when it ends are found, other updates keep its text, and a direct write of the text is overridden", async () => {
    const base = { workspaceId: member.workspaceId, workflowId: alpha, workflowName: "alpha", graph };
    const run = await db().run.create({ data: { ...base, trigger: "api", status: "queued", inputs: { topic: "capybara" } } });
    const found = async (q: string) => (await listRuns(member, { limit: 100, q })).runs.map((r) => r.id);
    const text = async () => (await db().$queryRaw<{ text: string }[]>`SELECT "searchText"::text AS text FROM runs WHERE id = ${run.id}`)[0]!.text;
    try {
      expect(await found("capybara")).toEqual([run.id]);
      // The lease and status changes, as the worker writes them, touch none of the text's columns.
      const before = await text();
      await db().$executeRaw`UPDATE runs SET status = 'running', "leaseToken" = "leaseToken" + 1, "startedAt" = now() WHERE id = ${run.id}`;
      expect(await text()).toBe(before);
      await db().run.update({ where: { id: run.id }, data: { status: "succeeded", output: { verdict: "axolotl" }, finishedAt: new Date() } });
      expect(await found("axolotl")).toEqual([run.id]);
      expect(await found("capybara")).toEqual([run.id]);
      await db().run.update({ where: { id: run.id }, data: { status: "failed", error: { code: "x", message: "pangolin outage" } } });
      expect(await found("pangolin")).toEqual([run.id]);
      await db().$executeRaw`UPDATE runs SET "searchText" = to_tsvector('simple', 'forged') WHERE id = ${run.id}`;
      expect(await found("forged")).toEqual([]);
      expect(await found("pangolin")).toEqual([run.id]);
    } finally {
      await db().run.delete({ where: { id: run.id } });
    }
  });

  it("never matches JSON keys", async () => {
    for (const key of ["zebra", "giraffe", "question", "answer", "message", "customer"]) expect(await find({ q: key }), key).toEqual([]);
  });

  it("supports phrases, or and exclusion (web-search syntax)", async () => {
    expect(await find({ q: '"invoice totals"' })).toEqual(["rerun"]);
    expect(await find({ q: "invoice -march" })).toEqual(["running", "invoice"]);
    expect(await find({ q: "refund or shipped" })).toEqual(["resume", "refund-out"]);
  });

  it("a run id typed in full finds that run", async () => {
    const id = ids.get("sub")!;
    expect(await find({ q: id })).toEqual(["sub"]);
    expect(await find({ q: id.toUpperCase() })).toEqual(["sub"]);
    expect(await find({ q: randomUUID() })).toEqual([]);
  });
});

describe("filters", () => {
  it("by workflow, version and draft", async () => {
    expect(await find({ workflowId: beta })).toEqual(expected((s) => s.workflow === "beta"));
    expect(await find({ workflowId: alpha, version: 1 })).toEqual(expected((s) => s.workflow === "alpha" && s.version === 1));
    expect(await find({ version: 2 })).toEqual(expected((s) => s.version === 2));
    expect(await find({ version: "draft" })).toEqual(expected((s) => !s.version));
  });

  it("by status and trigger", async () => {
    expect(await find({ status: "failed" })).toEqual(expected((s) => s.status === "failed"));
    for (const trigger of ["editor", "api", "resume", "rerun", "subworkflow", "tool"] as const) {
      expect(await find({ trigger }), trigger).toEqual(expected((s) => s.trigger === trigger));
    }
  });

  it("by initiator: a member's own runs, or an API key's", async () => {
    expect(await find({ initiator: `key:${keyId}` })).toEqual(expected((s) => s.by === "key"));
    expect(await find({ initiator: `user:${colleague.userId}` })).toEqual(expected((s) => s.by === "colleague"));
    // The key's creator is `member`, but runs through the key are the key's, not theirs.
    expect(await find({ initiator: `user:${member.userId}` })).toEqual(expected((s) => s.by === "member"));
  });

  it("by date range: whole UTC days, or exact times", async () => {
    expect(await find({ from: "2026-01-03", to: "2026-01-05" })).toEqual(expected((s) => s.day >= 3 && s.day <= 5));
    expect(await find({ from: "2026-01-09" })).toEqual(expected((s) => s.day >= 9));
    expect(await find({ to: "2026-01-01" })).toEqual(["invoice"]);
    expect(await find({ from: "2026-01-02T12:00:00.001Z", to: "2026-01-04T12:00:00Z" })).toEqual(["keys-only", "timeout-err"]);
  });

  it("by duration: finished runs only", async () => {
    expect(await find({ minDurationMs: 10_000 })).toEqual(expected((s) => (s.durationMs ?? -1) >= 10_000));
    expect(await find({ maxDurationMs: 1_000 })).toEqual(expected((s) => s.durationMs !== undefined && s.durationMs <= 1_000));
    expect(await find({ minDurationMs: 1_000, maxDurationMs: 5_000 })).toEqual(["rerun", "refund-out", "invoice"]);
  });

  it("by cost in a currency; runs without a priced model cost 0", async () => {
    const usd = (s: Seed) => s.cost?.USD ?? 0;
    expect(await find({ minCost: 0.1 })).toEqual(expected((s) => usd(s) >= 0.1));
    expect(await find({ maxCost: 0.02 })).toEqual(expected((s) => usd(s) <= 0.02));
    expect(await find({ minCost: 1, currency: "EUR" })).toEqual(["keys-only"]);
  });

  it("combines filters with text search and pages through them without gaps or repeats", async () => {
    const query: ListRunsQuery = { workflowId: alpha, status: "succeeded", minCost: 0.005 };
    const all = expected((s) => s.workflow === "alpha" && s.status === "succeeded" && usd(s) >= 0.005);
    expect(all.length).toBeGreaterThanOrEqual(4);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listRuns(member, { ...query, limit: 1, cursor });
      seen.push(...page.runs.map((run) => [...ids].find(([, id]) => id === run.id)![0]));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all);

    expect(await find({ q: "invoice", status: "succeeded", from: "2026-01-05" })).toEqual(["rerun"]);
    expect(await find({ q: "lisbon", trigger: "tool", initiator: `user:${member.userId}`, maxDurationMs: 500 })).toEqual(["tool"]);
  });

  it("never shows another workspace's runs", async () => {
    expect(await find({ q: "invoice lisbon refund" })).toEqual([]);
    const theirs = await listRuns(other, { q: "invoice" });
    expect(theirs.runs).toHaveLength(1);
  });
});

const usd = (s: Seed) => s.cost?.USD ?? 0;

describe("large documents", () => {
  it("a run with a 2 MB output is still written (a tsvector holds 1 MB) and its beginning is searchable", async () => {
    const owner = await createTestMember("owner");
    const words = Array.from({ length: 60_000 }, (_, i) => `w${i.toString(36)}x${(i * 7919).toString(36)}`).join(" ");
    const run = await db().run.create({
      data: { workspaceId: owner.workspaceId, workflowName: "big", graph, inputs: { question: "small question" }, output: { text: `needle ${words}`.repeat(3) }, status: "succeeded" },
    });
    const found = async (q: string) => (await listRuns(owner, { q })).runs.map((r) => r.id);
    expect(await found("needle")).toEqual([run.id]);
    expect(await found("small question")).toEqual([run.id]);
    // The failing update a finished run makes: still fine.
    await db().run.update({ where: { id: run.id }, data: { error: { code: "internal", message: `haystack ${words}` } } });
    expect(await found("haystack")).toEqual([run.id]);
  });
});

describe("the runs page's query string", () => {
  it("reads every filter, and drops only an invalid one", () => {
    const { filters, invalid } = filtersFromSearchParams({ q: "invoice", status: "failed", minCost: "0.5", version: "draft", from: "2026-02-30x", trigger: "bogus", cursor: "abc" });
    expect(filters).toEqual({ q: "invoice", status: "failed", minCost: 0.5, version: "draft" });
    expect(invalid.sort()).toEqual(["from", "trigger"]);
    expect(filtersFromSearchParams({ status: "", q: "" }).filters).toEqual({});
  });
});

describe("GET /api/v1/runs", () => {
  it("lists with the same filters, with initiator, trigger, version and cost on each run", async () => {
    const page = await client.listRuns({ q: "invoice", limit: 2 });
    expect(page.runs.map((r) => r.id)).toEqual([ids.get("rerun"), ids.get("running")]);
    expect(page.runs[1]).toMatchObject({ trigger: "api", version: 2, initiator: { kind: "api_key", id: keyId, name: "billing-prod" }, cost: null, status: "running" });
    expect(page.runs[0]).toMatchObject({ trigger: "rerun", version: 1, initiator: { kind: "user", id: member.userId, name: member.name }, cost: { USD: 0.2 }, durationMs: 2_500 });
    const next = await client.listRuns({ q: "invoice", limit: 2, cursor: page.nextCursor! });
    expect(next.runs.map((r) => r.id)).toEqual([ids.get("invoice")]);
    expect(next.nextCursor).toBeNull();

    const failedBeta = await client.listRuns({ workflowId: beta, status: "failed", from: "2026-01-01", to: "2026-01-31" });
    expect(failedBeta.runs.map((r) => r.id)).toEqual([ids.get("tool"), ids.get("timeout-err")]);
  });

  it("answers 400 with the offending parameter for invalid or unknown query parameters", async () => {
    for (const [query, path] of [
      ["status=bogus", "status"],
      ["minCost=-1", "minCost"],
      ["from=yesterday", "from"],
      ["to=2026-02-30", "to"],
      ["limit=1000", "limit"],
      ["initiator=someone", "initiator"],
      ["colour=red", ""],
      ["q=a%00b", "q"],
    ] as const) {
      const response = await routeFetch(apiRequest("GET", `/api/v1/runs?${query}`, `Bearer ${(await createKey(member, ["runs:read"])).secret}`));
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { error: { code: string; issues: { path: string }[] } };
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.issues.map((i) => i.path).join(","), query).toContain(path);
    }
    await expect(client.listRuns({ status: "nope" as "failed" })).rejects.toBeInstanceOf(WeftApiError);
  });
});
