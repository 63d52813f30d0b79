import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as publishRoute from "@/app/api/workflows/[id]/publish/route";
import * as graphRoute from "@/app/api/workflows/[id]/graph/route";
import * as runsRoute from "@/app/api/workflows/[id]/runs/route";
import * as workflowsRoute from "@/app/api/workflows/route";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { WeftClient } from "@/lib/client/weft-client";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { clientFor, createKey } from "./helpers/api-v1";
import { waitForRun } from "./helpers/runs";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/** Publishing freezes immutable versions; runs of a version execute exactly that version's graph. */
let owner: Awaited<ReturnType<typeof signUpUser>>;
let viewerCookie: string;
let editorCookie: string;
let developerCookie: string;
let strangerCookie: string;
let worker: WorkerProcess;
const ticketGraph = exampleWorkflows({ providerId: "unused", model: "unused" })[1].graph;
const inputs = { customer: "Ada", message: "refund please", priority: 1 };

function withSummary(graph: Graph, template: string): Graph {
  return { ...graph, nodes: graph.nodes.map((n) => (n.id === "summary" ? { ...n, data: { ...n.data, template } } : n)) };
}

async function createWorkflow(name: string, graph: Graph) {
  const response = await workflowsRoute.POST(routeRequest("POST", "/api/workflows", owner.cookie, { name, graph }));
  return ((await response.json()) as { id: string }).id;
}

const publish = (id: string, cookie: string, body: unknown = {}) => publishRoute.POST(routeRequest("POST", `/api/workflows/${id}/publish`, cookie, body), routeParams(id));

beforeAll(async () => {
  worker = await startWorkerProcess();
  owner = await signUpUser("Versions Owner");
  const viewer = await signUpUser("Versions Viewer");
  await db().membership.create({ data: { userId: viewer.userId, workspaceId: owner.workspaceId, role: "viewer" } });
  viewerCookie = `${viewer.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`;
  const editor = await signUpUser("Versions Editor");
  await db().membership.create({ data: { userId: editor.userId, workspaceId: owner.workspaceId, role: "editor" } });
  editorCookie = `${editor.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`;
  const developer = await signUpUser("Versions Developer");
  await db().membership.create({ data: { userId: developer.userId, workspaceId: owner.workspaceId, role: "developer" } });
  developerCookie = `${developer.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`;
  strangerCookie = (await signUpUser("Versions Stranger")).cookie;
});

afterAll(async () => {
  await worker?.stop();
});

describe("publishing", () => {
  it("refuses an invalid draft with the same problem list as runs, and writes no version", async () => {
    const id = await createWorkflow("Broken", { ...ticketGraph, edges: [] });
    const response = await publish(id, owner.cookie);
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { code: string; message: string; problems: { nodeId?: string }[] } }).error;
    expect(error.code).toBe("invalid_graph");
    expect(error.message).toMatch(/published/);
    expect(error.problems.some((p) => p.nodeId === "summary")).toBe(true);
    expect(await db().workflowVersion.count({ where: { workflowId: id } })).toBe(0);
  });

  it("numbers versions 1, 2, … and lists them newest first; viewers cannot publish, other workspaces get 404", async () => {
    const id = await createWorkflow("Numbered", ticketGraph);
    const first = await publish(id, owner.cookie, { note: "first cut" });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ version: 1, note: "first cut" });
    expect(((await (await publish(id, owner.cookie)).json()) as { version: number }).version).toBe(2);

    const list = await publishRoute.GET(routeRequest("GET", `/api/workflows/${id}/publish`, viewerCookie), routeParams(id));
    expect(((await list.json()) as { versions: { version: number }[] }).versions.map((v) => v.version)).toEqual([2, 1]);

    expect((await publish(id, viewerCookie)).status).toBe(403);
    expect((await publish(id, strangerCookie)).status).toBe(404);
    expect((await publishRoute.GET(routeRequest("GET", `/api/workflows/${id}/publish`, strangerCookie), routeParams(id))).status).toBe(404);
  });

  it("publishing is for developers and above (workflow.publish): an editor gets 403 naming the role, a developer publishes", async () => {
    const id = await createWorkflow("Who publishes", ticketGraph);
    const byEditor = await publish(id, editorCookie);
    expect(byEditor.status).toBe(403);
    expect(((await byEditor.json()) as { error: { message: string } }).error.message).toMatch(/developer role or higher.*you are editor/);
    expect(await db().workflowVersion.count({ where: { workflowId: id } })).toBe(0);
    const byDeveloper = await publish(id, developerCookie);
    expect(byDeveloper.status).toBe(201);
    expect(await byDeveloper.json()).toMatchObject({ version: 1 });
  });

  it("gives concurrent publishes distinct version numbers", async () => {
    const id = await createWorkflow("Racing", ticketGraph);
    const results = await Promise.all([publish(id, owner.cookie), publish(id, owner.cookie), publish(id, owner.cookie)]);
    const versions = await Promise.all(results.map(async (r) => ((await r.json()) as { version: number }).version));
    expect(versions.sort()).toEqual([1, 2, 3]);
  });
});

describe("immutable versions", () => {
  it("later draft edits change neither v1 nor a run of v1; draft test-runs have no version", async () => {
    const id = await createWorkflow("Frozen", withSummary(ticketGraph, "V1 {{ start.customer }}"));
    const v1 = (await (await publish(id, owner.cookie)).json()) as { id: string; version: number };

    // Edit the draft and publish v2.
    const saved = await graphRoute.PUT(
      routeRequest("PUT", `/api/workflows/${id}/graph`, owner.cookie, { revision: 0, graph: withSummary(ticketGraph, "V2 {{ start.customer }}") }),
      routeParams(id),
    );
    expect(saved.status).toBe(200);
    const v1Row = await db().workflowVersion.findUniqueOrThrow({ where: { id: v1.id } });
    expect(JSON.stringify(v1Row.graph)).toContain("V1 {{ start.customer }}");
    await publish(id, owner.cookie);

    // Through the public API: pinned v1 runs v1's graph, the default runs the latest (v2).
    const ownerMember = { userId: owner.userId, email: "", name: "", workspaceId: owner.workspaceId, workspaceName: "", role: "owner" as const };
    const client = clientFor((await createKey(ownerMember)).secret);
    const pinned = await client.runSync(id, { inputs, version: 1, timeoutMs: 20_000 });
    const latest = await client.runSync(id, { inputs, timeoutMs: 20_000 });
    expect(WeftClient.isFinished(pinned) && WeftClient.isFinished(latest)).toBe(true);
    if (!WeftClient.isFinished(pinned) || !WeftClient.isFinished(latest)) return;
    expect(pinned).toMatchObject({ status: "succeeded", version: 1, output: { summary: "V1 Ada" } });
    expect(latest).toMatchObject({ status: "succeeded", version: 2, output: { summary: "V2 Ada" } });
    const pinnedRow = await db().run.findUniqueOrThrow({ where: { id: pinned.id } });
    expect(pinnedRow.workflowVersionId).toBe(v1.id);
    expect(pinnedRow.graph).toEqual(v1Row.graph);

    // Editor test-runs still run the draft, with no version.
    const draftRun = await runsRoute.POST(routeRequest("POST", `/api/workflows/${id}/runs`, owner.cookie, { inputs }), routeParams(id));
    const { runId } = (await draftRun.json()) as { runId: string };
    const finished = await waitForRun(runId);
    expect(finished.workflowVersionId).toBeNull();
    expect(finished.output).toMatchObject({ summary: "V2 Ada" });
  });
});
