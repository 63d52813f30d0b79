import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as diffRoute from "@/app/api/workflows/[id]/diff/route";
import * as exportRoute from "@/app/api/workflows/[id]/export/route";
import * as graphRoute from "@/app/api/workflows/[id]/graph/route";
import * as nodeTestRoute from "@/app/api/workflows/[id]/nodes/[nodeId]/test/route";
import * as publishRoute from "@/app/api/workflows/[id]/publish/route";
import * as runsRoute from "@/app/api/workflows/[id]/runs/route";
import * as restoreRoute from "@/app/api/workflows/[id]/versions/[version]/restore/route";
import * as versionRoute from "@/app/api/workflows/[id]/versions/[version]/route";
import * as versionsRoute from "@/app/api/workflows/[id]/versions/route";
import * as workflowsRoute from "@/app/api/workflows/route";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { WeftClient } from "@/lib/client/weft-client";
import { db } from "@/lib/db/client";
import type { Graph, GraphNode } from "@/lib/engine/graph";
import { createAndEnqueueRun } from "@/lib/runs/service";
import type { GraphDiff } from "@/lib/workflows/diff";
import { clientFor, createKey } from "./helpers/api-v1";
import { waitForRun } from "./helpers/runs";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/** Disabled nodes, pinned outputs, node tests and version history, through the routes and a real worker process. */
let owner: Awaited<ReturnType<typeof signUpUser>>;
let viewerCookie: string;
let worker: WorkerProcess;
const inputs = { customer: "Ada" };

const node = (id: string, type: string, x: number, data: Record<string, unknown>, extra: Partial<GraphNode> = {}): GraphNode => ({ id, type, position: { x, y: 0 }, data, ...extra });
const chain = (...ids: string[]) => ids.slice(1).map((id, i) => ({ id: `e_${ids[i]}_${id}`, source: ids[i]!, target: id }));

/** start → greet (template) → shout (code, sandboxed) → note (template) → end. */
function baseGraph(overrides: Record<string, Partial<GraphNode>> = {}, endValue = "{{ shout.loud }}"): Graph {
  const nodes = [
    node("start", "start", 0, { inputs: [{ name: "customer", label: "Customer", type: "string", required: true, description: "" }] }),
    node("greet", "template", 200, { template: "Hello {{ start.customer }}", format: "text" }),
    node("shout", "code", 400, { inputs: [{ name: "text", value: "{{ greet.text }}" }], code: "return { loud: inputs.text.toUpperCase() };", outputs: [{ name: "loud", type: "string" }] }),
    node("note", "template", 600, { template: "Note for {{ start.customer }}", format: "text" }),
    node("end", "end", 800, { outputs: [{ name: "result", value: endValue }] }),
  ].map((n) => ({ ...n, ...overrides[n.id] }));
  return { version: 1, nodes, edges: chain("start", "greet", "shout", "note", "end") };
}

async function createWorkflow(name: string, graph: Graph): Promise<string> {
  const response = await workflowsRoute.POST(routeRequest("POST", "/api/workflows", owner.cookie, { name, graph }));
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function saveDraft(id: string, graph: Graph): Promise<number> {
  const current = await db().workflow.findUniqueOrThrow({ where: { id }, select: { revision: true } });
  const response = await graphRoute.PUT(routeRequest("PUT", `/api/workflows/${id}/graph`, owner.cookie, { revision: current.revision, graph }), routeParams(id));
  expect(response.status).toBe(200);
  return ((await response.json()) as { revision: number }).revision;
}

async function editorRun(id: string) {
  const response = await runsRoute.POST(routeRequest("POST", `/api/workflows/${id}/runs`, owner.cookie, { inputs }), routeParams(id));
  expect(response.status).toBe(201);
  return waitForRun(((await response.json()) as { runId: string }).runId);
}

const publish = async (id: string, note?: string) => {
  const response = await publishRoute.POST(routeRequest("POST", `/api/workflows/${id}/publish`, owner.cookie, note ? { note } : {}), routeParams(id));
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; version: number };
};

const nodeParams = (id: string, nodeId: string) => ({ params: Promise.resolve({ id, nodeId }) });
const versionParams = (id: string, version: string) => ({ params: Promise.resolve({ id, version }) });

beforeAll(async () => {
  worker = await startWorkerProcess();
  owner = await signUpUser("Editor Runner");
  const viewer = await signUpUser("Editor Run Viewer");
  await db().membership.create({ data: { userId: viewer.userId, workspaceId: owner.workspaceId, role: "viewer" } });
  viewerCookie = `${viewer.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`;
}, 60_000);

afterAll(async () => {
  await worker?.stop();
});

describe("disabled nodes", () => {
  it("a disabled node is skipped by the worker (detail.disabled), the flow goes on through it", async () => {
    const id = await createWorkflow("Disabled", baseGraph({ note: { disabled: true } }));
    const run = await editorRun(id);
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ result: "HELLO ADA" });
    const note = run.steps.find((s) => s.nodeId === "note")!;
    expect(note.status).toBe("skipped");
    expect(note.detail).toEqual({ disabled: true });
    expect(run.steps.find((s) => s.nodeId === "end")?.status).toBe("succeeded");
  });

  it("a run is refused while a node reads a disabled node's output (reference_disabled)", async () => {
    const id = await createWorkflow("Disabled read", baseGraph({ shout: { disabled: true } }));
    const response = await runsRoute.POST(routeRequest("POST", `/api/workflows/${id}/runs`, owner.cookie, { inputs }), routeParams(id));
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { code: string; problems: { code: string; nodeId?: string }[] } }).error;
    expect(error.code).toBe("invalid_graph");
    expect(error.problems).toContainEqual(expect.objectContaining({ code: "reference_disabled", nodeId: "end" }));
  });
});

describe("pinned outputs", () => {
  const pinned = { shout: { pin: { output: { loud: "PINNED" }, source: { at: "2026-12-04T00:00:00Z" } } } };

  it("an editor run uses the pin instead of executing the node (step detail.pinned)", async () => {
    const id = await createWorkflow("Pinned", baseGraph(pinned));
    const run = await editorRun(id);
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ result: "PINNED" });
    const shout = run.steps.find((s) => s.nodeId === "shout")!;
    expect(shout).toMatchObject({ status: "succeeded", output: { loud: "PINNED" } });
    expect(shout.detail).toMatchObject({ pinned: true });
  });

  it("published runs never use pins: the version has none, the API and sub-workflows execute the node", async () => {
    const id = await createWorkflow("Pinned published", baseGraph(pinned));
    const v1 = await publish(id, "with a pin in the draft");
    const version = await db().workflowVersion.findUniqueOrThrow({ where: { id: v1.id } });
    expect(JSON.stringify(version.graph)).not.toContain("PINNED");
    // Nor does an exported file (pins are this draft's test data).
    const exported = await exportRoute.GET(routeRequest("GET", `/api/workflows/${id}/export`, owner.cookie), routeParams(id));
    expect(exported.status).toBe(200);
    expect(await exported.text()).not.toContain("PINNED");

    const ownerMember = { userId: owner.userId, email: "", name: "", workspaceId: owner.workspaceId, workspaceName: "", role: "owner" as const };
    const client = clientFor((await createKey(ownerMember)).secret);
    const apiRun = await client.runSync(id, { inputs, timeoutMs: 30_000 });
    expect(WeftClient.isFinished(apiRun) && apiRun.status).toBe("succeeded");
    if (WeftClient.isFinished(apiRun)) expect(apiRun.output).toEqual({ result: "HELLO ADA" });

    // A parent workflow calling it as a sub-workflow: the child runs v1, unpinned.
    const parent = await createWorkflow("Parent of pinned", {
      version: 1,
      nodes: [
        node("start", "start", 0, { inputs: [{ name: "who", label: "Who", type: "string", required: true, description: "" }] }),
        node("sub", "subworkflow", 200, { workflowId: id, inputs: [{ name: "customer", value: "{{ start.who }}" }] }),
        node("end", "end", 400, { outputs: [{ name: "child", value: "{{ sub.output.result }}" }] }),
      ],
      edges: chain("start", "sub", "end"),
    });
    const response = await runsRoute.POST(routeRequest("POST", `/api/workflows/${parent}/runs`, owner.cookie, { inputs: { who: "Bo" } }), routeParams(parent));
    const parentRun = await waitForRun(((await response.json()) as { runId: string }).runId);
    expect(parentRun.status).toBe("succeeded");
    expect(parentRun.output).toEqual({ child: "HELLO BO" });
  });

  it("the worker ignores a pin even in a run row whose graph carries one, when the run has a version", async () => {
    const id = await createWorkflow("Pinned forged", baseGraph(pinned));
    const v1 = await publish(id);
    const member = { userId: owner.userId, email: "", name: "", workspaceId: owner.workspaceId, workspaceName: "", role: "owner" as const };
    const { runId } = await createAndEnqueueRun(member, { workflowId: id, workflowName: "Pinned forged", graph: baseGraph(pinned), inputs, workflowVersionId: v1.id, origin: { trigger: "api" } });
    const run = await waitForRun(runId);
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ result: "HELLO ADA" });
    expect(run.steps.find((s) => s.nodeId === "shout")?.detail).not.toMatchObject({ pinned: true });
  });
});

describe("testing one node", () => {
  it("offers the upstream values of the last run, then runs only the node (sandboxed Code) with an edited value", async () => {
    const id = await createWorkflow("Node test", baseGraph());
    const first = await editorRun(id);
    expect(first.status).toBe("succeeded");

    const offered = await nodeTestRoute.GET(routeRequest("GET", `/api/workflows/${id}/nodes/shout/test`, viewerCookie), nodeParams(id, "shout"));
    expect(offered.status).toBe(200);
    const values = (await offered.json()) as { runId: string; upstream: { id: string; value: Record<string, unknown> }[] };
    expect(values.runId).toBe(first.id);
    expect(values.upstream.map((u) => u.id).sort()).toEqual(["greet", "start"]);
    expect(values.upstream.find((u) => u.id === "greet")?.value).toEqual({ text: "Hello Ada" });

    const upstream = Object.fromEntries(values.upstream.map((u) => [u.id, u.value]));
    upstream.greet = { text: "edited by hand" };
    const started = await nodeTestRoute.POST(
      routeRequest("POST", `/api/workflows/${id}/nodes/shout/test`, owner.cookie, { upstream, sourceRunId: values.runId }),
      nodeParams(id, "shout"),
    );
    expect(started.status).toBe(201);
    const test = await waitForRun(((await started.json()) as { runId: string }).runId);
    expect(test.status).toBe("succeeded");
    expect(test.output).toEqual({ loud: "EDITED BY HAND" });
    expect(test).toMatchObject({ trigger: "editor", sourceKind: "node_test", sourceNodeId: "shout", sourceRunId: first.id, workflowVersionId: null });
    const byNode = new Map(test.steps.map((s) => [s.nodeId, s]));
    expect([...byNode.keys()].sort()).toEqual(["greet", "shout", "start"]);
    expect(byNode.get("greet")?.detail).toMatchObject({ pinned: true });
    expect(byNode.get("shout")).toMatchObject({ status: "succeeded", output: { loud: "EDITED BY HAND" } });
    expect(byNode.get("shout")?.detail).not.toMatchObject({ pinned: true });
  });

  it("refuses what cannot be tested with a clear 400, and a viewer cannot start a test", async () => {
    const id = await createWorkflow("Node test refusals", baseGraph({ note: { data: { template: "{{ nowhere.x }}", format: "text" } } }));
    const post = (nodeId: string, cookie = owner.cookie) =>
      nodeTestRoute.POST(routeRequest("POST", `/api/workflows/${id}/nodes/${nodeId}/test`, cookie, { upstream: { start: inputs } }), nodeParams(id, nodeId));
    const startTest = await post("start");
    expect(startTest.status).toBe(400);
    expect(((await startTest.json()) as { error: { message: string } }).error.message).toMatch(/Start node/);
    expect((await post("missing")).status).toBe(400);
    const broken = await post("note");
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe("invalid_graph");
    // Another node's problems do not stop testing this one.
    expect((await post("greet")).status).toBe(201);
    expect((await post("greet", viewerCookie)).status).toBe(403);
  });
});

describe("versions", () => {
  it("lists versions with notes and authors, diffs two versions and the draft, restores v1 through the revision check", async () => {
    const id = await createWorkflow("Versioned", baseGraph());
    await publish(id, "first cut");
    const v2Graph = baseGraph({ greet: { data: { template: "Hi {{ start.customer }}", format: "text" }, position: { x: 250, y: 40 } } });
    v2Graph.nodes.push(node("extra", "template", 600, { template: "x", format: "text" }, { position: { x: 600, y: 200 } }));
    v2Graph.edges.push({ id: "e_shout_extra", source: "shout", target: "extra" }, { id: "e_extra_end", source: "extra", target: "end" });
    await saveDraft(id, v2Graph);
    await publish(id, "friendlier greeting");

    const list = await versionsRoute.GET(routeRequest("GET", `/api/workflows/${id}/versions`, viewerCookie), routeParams(id));
    const { versions } = (await list.json()) as { versions: { version: number; note: string | null; author: { name: string } | null }[] };
    expect(versions.map((v) => [v.version, v.note, v.author?.name])).toEqual([
      [2, "friendlier greeting", "Editor Runner"],
      [1, "first cut", "Editor Runner"],
    ]);

    const diffResponse = await diffRoute.GET(routeRequest("GET", `/api/workflows/${id}/diff?from=1&to=2`, viewerCookie), routeParams(id));
    expect(diffResponse.status).toBe(200);
    const { diff } = (await diffResponse.json()) as { diff: GraphDiff };
    expect(diff.added.map((n) => n.id)).toEqual(["extra"]);
    expect(diff.removed).toEqual([]);
    const greet = diff.changed.find((c) => c.id === "greet")!;
    expect(greet.moved).toBeDefined();
    expect(greet.fields).toEqual([{ path: "data.template", before: "Hello {{ start.customer }}", after: "Hi {{ start.customer }}" }]);
    expect(diff.edgesAdded.map((e) => e.id).sort()).toEqual(["e_extra_end", "e_shout_extra"]);

    const draftDiff = await diffRoute.GET(routeRequest("GET", `/api/workflows/${id}/diff?from=2`, viewerCookie), routeParams(id));
    expect(((await draftDiff.json()) as { diff: GraphDiff }).diff.same).toBe(true);
    expect((await diffRoute.GET(routeRequest("GET", `/api/workflows/${id}/diff?from=nope`, viewerCookie), routeParams(id))).status).toBe(400);
    expect((await diffRoute.GET(routeRequest("GET", `/api/workflows/${id}/diff?from=9`, viewerCookie), routeParams(id))).status).toBe(404);

    const v1 = await versionRoute.GET(routeRequest("GET", `/api/workflows/${id}/versions/1`, viewerCookie), versionParams(id, "1"));
    expect(((await v1.json()) as { graph: Graph }).graph.nodes.map((n) => n.id)).not.toContain("extra");

    const { revision } = await db().workflow.findUniqueOrThrow({ where: { id }, select: { revision: true } });
    const restore = (body: unknown, cookie = owner.cookie) =>
      restoreRoute.POST(routeRequest("POST", `/api/workflows/${id}/versions/1/restore`, cookie, body), versionParams(id, "1"));
    expect((await restore({ revision }, viewerCookie)).status).toBe(403);
    expect((await restore({ revision: revision - 1 })).status).toBe(409);
    const restored = await restore({ revision });
    expect(restored.status).toBe(200);
    expect(await restored.json()).toMatchObject({ revision: revision + 1 });
    const afterRestore = await diffRoute.GET(routeRequest("GET", `/api/workflows/${id}/diff?from=1`, viewerCookie), routeParams(id));
    expect(((await afterRestore.json()) as { diff: GraphDiff }).diff.same).toBe(true);
    const run = await editorRun(id);
    expect(run.output).toEqual({ result: "HELLO ADA" });
  });
});
