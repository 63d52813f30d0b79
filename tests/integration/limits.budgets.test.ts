import { beforeAll, describe, expect, it } from "vitest";
import * as budgetRoute from "@/app/api/budget/route";
import * as workflowLimitsRoute from "@/app/api/budget/workflows/[id]/route";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { exampleWorkflows } from "@/lib/examples/workflows";
import type { Prisma } from "@/lib/generated/prisma/client";
import { assertWithinBudget, budgetAlerts, monthSpend, setWorkflowLimits, setWorkspaceBudget, usageOverview } from "@/lib/limits/budgets";
import { rerunFrom } from "@/lib/runs/rerun";
import { startRun } from "@/lib/runs/service";
import { ServiceError } from "@/lib/services/errors";
import { createWorkflow } from "@/lib/workflows/service";
import { apiRequest, createKey, routeFetch } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";

/** Budgets without a worker: what counts as the month's spend, per-workflow budgets, warnings, who may change them. */

let member: Member;
const graph = exampleWorkflows({ providerId: "p", model: "m" })[0]!.graph;

/** A finished run of `workflowId` that cost `cost`, created at `createdAt`. */
async function spentRun(workflowId: string, cost: Record<string, number>, createdAt = new Date()) {
  return db().run.create({ data: { workspaceId: member.workspaceId, workflowId, workflowName: "w", graph: graph as unknown as Prisma.InputJsonValue, inputs: { question: "?" }, status: "succeeded", cost, createdAt, finishedAt: createdAt } });
}

beforeAll(async () => {
  member = await createTestMember("owner");
});

describe("budgets", () => {
  it("counts this calendar month's (UTC) runs in the budget's currency only", async () => {
    const workflow = await createWorkflow(member, { name: "Spender", description: "", graph });
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - 1);
    await spentRun(workflow.id, { USD: 1.25 });
    await spentRun(workflow.id, { USD: 0.5, EUR: 3 });
    await spentRun(workflow.id, { USD: 100 }, lastMonth);
    expect(await monthSpend(db(), member.workspaceId, "USD")).toBe(1.75);
    expect(await monthSpend(db(), member.workspaceId, "EUR", workflow.id)).toBe(3);
    const overview = await usageOverview(member);
    expect(overview.spentByCurrency).toEqual({ EUR: 3, USD: 1.75 });
  });

  it("a workflow's own budget refuses only that workflow's runs, resume and re-run included; warnings before that", async () => {
    const capped = await createWorkflow(member, { name: "Capped", description: "", graph });
    const free = await createWorkflow(member, { name: "Free", description: "", graph });
    const done = await spentRun(capped.id, { USD: 8 });
    await setWorkflowLimits(member, capped.id, { budget: { monthlyLimit: 10, warnPercent: 75 } });
    expect((await budgetAlerts(member.workspaceId)).map((a) => [a.workflowName, a.state])).toEqual([["Capped", "warning"]]);
    await spentRun(capped.id, { USD: 2 });
    expect((await budgetAlerts(member.workspaceId)).map((a) => [a.workflowName, a.state])).toEqual([["Capped", "exhausted"]]);

    const refused = await startRun(member, capped.id, { inputs: { question: "?" } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServiceError);
    expect(refused).toMatchObject({ code: "budget_exhausted", details: { budget: { scope: "workflow", workflowId: capped.id, monthlyLimit: 10, spent: 10 } } });
    expect((refused as Error).message).toContain('The workflow "Capped"\'s monthly budget of 10 USD is spent');
    await expect(rerunFrom(member, done.id, "llm")).rejects.toMatchObject({ code: "budget_exhausted" });
    await expect(assertWithinBudget(member.workspaceId, free.id)).resolves.toBeUndefined();

    await setWorkflowLimits(member, capped.id, { budget: { monthlyLimit: 20 } });
    await expect(assertWithinBudget(member.workspaceId, capped.id)).resolves.toBeUndefined();
    await setWorkflowLimits(member, capped.id, { budget: null });
    expect(await db().budget.count({ where: { workflowId: capped.id } })).toBe(0);
    expect(await db().auditEvent.count({ where: { targetId: capped.id, action: "workflow.limits_changed" } })).toBe(3);
  });

  it("keeps one workspace budget, replaced on save", async () => {
    await setWorkspaceBudget(member, { budget: { monthlyLimit: 5, currency: "eur" } });
    const saved = await setWorkspaceBudget(member, { budget: { monthlyLimit: 7, currency: "EUR", warnPercent: 90 } });
    expect(saved).toMatchObject({ scope: "workspace", monthlyLimit: 7, currency: "EUR", warnPercent: 90 });
    expect(await db().budget.count({ where: { workspaceId: member.workspaceId, workflowId: null } })).toBe(1);
    // Each change is audited once, with what it was before and after.
    const audited = await db().auditEvent.findMany({ where: { workspaceId: member.workspaceId, action: "budget.changed" }, orderBy: { createdAt: "asc" } });
    expect(audited).toHaveLength(2);
    expect(audited[1]!.changes).toMatchObject({ monthlyLimit: { before: 5, after: 7 }, warnPercent: { before: 80, after: 90 } });
    await setWorkspaceBudget(member, { budget: null });
    expect(await db().budget.count({ where: { workspaceId: member.workspaceId, workflowId: null } })).toBe(0);
  });
});

describe("budget routes", () => {
  it("let admins change budgets, refuse other roles with 403 and bad values with 400 naming the field", async () => {
    const owner = await signUpUser("Budget Owner");
    const ownerMember = { ...member, userId: owner.userId, workspaceId: owner.workspaceId };
    const workflow = await createWorkflow(ownerMember, { name: "Routed", description: "", graph });

    const bad = await budgetRoute.PUT(routeRequest("PUT", "/api/budget", owner.cookie, { budget: { monthlyLimit: -1, warnPercent: 0 } }));
    expect(bad.status).toBe(400);
    const badBody = JSON.stringify(await bad.json());
    expect(badBody).toContain("The monthly budget cannot be negative");
    expect(badBody).toContain("The warning threshold is between 1 and 100 %");

    const limits = await workflowLimitsRoute.PUT(routeRequest("PUT", `/api/budget/workflows/${workflow.id}`, owner.cookie, { maxConcurrentRuns: 3 }), routeParams(workflow.id));
    expect(limits.status).toBe(200);
    expect(await limits.json()).toMatchObject({ workflowId: workflow.id, maxConcurrentRuns: 3, budget: null });
    const zero = await workflowLimitsRoute.PUT(routeRequest("PUT", `/api/budget/workflows/${workflow.id}`, owner.cookie, { maxConcurrentRuns: 0 }), routeParams(workflow.id));
    expect(zero.status).toBe(400);

    // A developer of the same workspace may neither read nor change budgets.
    const developer = await signUpUser("Budget Developer");
    await db().membership.create({ data: { workspaceId: owner.workspaceId, userId: developer.userId, role: "developer" } });
    await db().membership.deleteMany({ where: { userId: developer.userId, workspaceId: developer.workspaceId } });
    const read = await budgetRoute.GET(routeRequest("GET", "/api/budget", developer.cookie));
    expect(read.status).toBe(403);
    const write = await budgetRoute.PUT(routeRequest("PUT", "/api/budget", developer.cookie, { budget: null }));
    expect(write.status).toBe(403);
  });
});

describe("a throttled run in the public API", () => {
  it("says what it waits for while queued", async () => {
    const workflow = await createWorkflow(member, { name: "Throttled view", description: "", graph });
    const run = await db().run.create({
      data: { workspaceId: member.workspaceId, workflowId: workflow.id, workflowName: "Throttled view", graph: graph as unknown as Prisma.InputJsonValue, inputs: {}, status: "queued", throttledReason: 'workflow "Throttled view" runs at most 1 at once', throttledUntil: new Date("2026-12-04T20:00:05.000Z") },
    });
    const key = await createKey(member);
    const response = await routeFetch(apiRequest("GET", `/api/v1/runs/${run.id}`, `Bearer ${key.secret}`));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "queued", throttled: { reason: 'workflow "Throttled view" runs at most 1 at once', until: "2026-12-04T20:00:05.000Z" } });
  });
});
