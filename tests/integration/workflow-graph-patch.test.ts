import { beforeAll, describe, expect, it } from "vitest";
import * as graphRoute from "@/app/api/workflows/[id]/graph/route";
import * as workflowRoute from "@/app/api/workflows/[id]/route";
import * as workflowsRoute from "@/app/api/workflows/route";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { LIMITS } from "@/lib/engine/limits";
import { diffGraphs } from "@/lib/workflows/graph-patch";
import { largeGraph } from "../../bench/lib/large-graph";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";

/** PATCH /api/workflows/[id]/graph: the editor's autosave of large graphs, through the real route. */
let owner: Awaited<ReturnType<typeof signUpUser>>;
let viewerCookie: string;

beforeAll(async () => {
  owner = await signUpUser("Patch Owner");
  const viewer = await signUpUser("Patch Viewer");
  await db().membership.create({ data: { userId: viewer.userId, workspaceId: owner.workspaceId, role: "viewer" } });
  viewerCookie = `${viewer.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`;
});

async function create(graph: Graph): Promise<string> {
  const response = await workflowsRoute.POST(routeRequest("POST", "/api/workflows", owner.cookie, { name: "Patched", graph }));
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function patch(id: string, body: unknown, cookie = owner.cookie) {
  const response = await graphRoute.PATCH(routeRequest("PATCH", `/api/workflows/${id}/graph`, cookie, body), routeParams(id));
  return { status: response.status, body: (await response.json()) as { revision?: number; error?: { code: string; message: string; revision?: number; issues?: { path: string; message: string }[] } } };
}

async function stored(id: string): Promise<{ graph: Graph; revision: number }> {
  return (await (await workflowRoute.GET(routeRequest("GET", `/api/workflows/${id}`, owner.cookie), routeParams(id))).json()) as { graph: Graph; revision: number };
}

/** The graph with one node moved, one node's template changed, one edge and node removed and one added in their place. */
function edited(base: Graph): Graph {
  const nodes = base.nodes
    .filter((n) => n.id !== "step_5")
    .map((n) => (n.id === "step_3" ? { ...n, position: { x: 11, y: 22 } } : n.id === "step_4" ? { ...n, data: { ...n.data, template: "changed {{ step_3.text }}" } } : n));
  nodes.push({ id: "step_5b", type: "template", position: { x: 1500, y: 0 }, data: { template: "new {{ step_4.text }}", format: "text" } });
  const edges = base.edges.filter((e) => e.source !== "step_5" && e.target !== "step_5");
  edges.push({ id: "e_step_4b", source: "step_4", target: "step_5b" }, { id: "e_step_5b", source: "step_5b", target: "step_6" });
  return { ...base, nodes, edges };
}

describe("PATCH /api/workflows/[id]/graph", () => {
  it("applies a change of a 1,000-node graph against its revision and bumps the revision", async () => {
    const base = largeGraph(1_000);
    const id = await create(base);
    const next = edited(base);
    const change = diffGraphs(base, next);
    expect(change.upsertNodes.map((n) => n.id).sort()).toEqual(["step_3", "step_4", "step_5b"]);
    expect(change.removeNodes).toEqual(["step_5"]);

    const started = performance.now();
    const result = await patch(id, { revision: 0, patch: change });
    const elapsed = performance.now() - started;
    expect(result.status).toBe(200);
    expect(result.body.revision).toBe(1);
    console.log(`[graph patch] 1,000 nodes, ${change.upsertNodes.length + change.removeNodes.length + change.upsertEdges.length + change.removeEdges.length} changes: ${elapsed.toFixed(0)} ms through the route`);

    // Warm: a few more single-node moves, as autosave sends them while someone edits.
    const times: number[] = [];
    for (let i = 2; i <= 4; i++) {
      const moved = { ...next.nodes[i], position: { x: 7 * i, y: 9 * i } };
      next.nodes[i] = moved;
      const begin = performance.now();
      const again = await patch(id, { revision: i - 1, patch: { upsertNodes: [moved] } });
      times.push(performance.now() - begin);
      expect(again.body.revision).toBe(i);
    }
    console.log(`[graph patch] 1,000 nodes, one node moved: ${times.map((t) => t.toFixed(0)).join(" / ")} ms`);

    const after = await stored(id);
    expect(after.revision).toBe(4);
    const byId = (g: Graph) => new Map(g.nodes.map((n) => [n.id, n] as const));
    expect(after.graph.nodes).toHaveLength(1_000);
    expect(byId(after.graph)).toEqual(byId(next));
    expect(new Set(after.graph.edges.map((e) => e.id))).toEqual(new Set(next.edges.map((e) => e.id)));
  });

  it("refuses a patch made on a stale revision with 409 and the current revision, changing nothing", async () => {
    const base = largeGraph(300);
    const id = await create(base);
    const first = await patch(id, { revision: 0, patch: { upsertNodes: [{ ...base.nodes[1], position: { x: 1, y: 1 } }] } });
    expect(first.status).toBe(200);
    const stale = await patch(id, { revision: 0, patch: { removeNodes: ["step_2"] } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: "conflict", revision: 1 });
    const after = await stored(id);
    expect(after.revision).toBe(1);
    expect(after.graph.nodes.some((n) => n.id === "step_2")).toBe(true);
  });

  it("answers 400 for a malformed patch, a patch that does not fit the graph, and unknown node keys", async () => {
    const id = await create(largeGraph(50));
    const malformed = await patch(id, { revision: 0, patch: { upsertNodes: [{ id: "Bad Id", type: "template" }] } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error?.code).toBe("invalid_request");
    expect(malformed.body.error?.issues?.length).toBeGreaterThan(0);

    const unknownKey = await patch(id, { revision: 0, patch: { nope: [] } });
    expect(unknownKey.status).toBe(400);

    const missing = await patch(id, { revision: 0, patch: { removeNodes: ["not_there"] } });
    expect(missing.status).toBe(400);
    expect(missing.body.error?.message).toContain('"not_there"');

    const twice = await patch(id, { revision: 0, patch: { upsertEdges: [{ id: "x", source: "start", target: "end" }], removeEdges: ["x"] } });
    expect(twice.status).toBe(400);
    expect(twice.body.error?.message).toContain("twice");

    const typo = await patch(id, { revision: 0, patch: { upsertNodes: [{ id: "step_1", type: "template", position: { x: 0, y: 0 }, data: { template: "x", templat: "y" } }] } });
    expect(typo.status).toBe(400);
    expect(typo.body.error?.code).toBe("invalid_graph");

    expect((await stored(id)).revision).toBe(0);
  });

  it("refuses a patch that takes the graph past the node limit, naming the limit", async () => {
    const base = largeGraph(LIMITS.maxGraphNodes - 1);
    const id = await create(base);
    const extra = [1, 2].map((i) => ({ id: `extra_${i}`, type: "template", position: { x: 0, y: -200 * i }, data: { template: "x", format: "text" } }));
    const over = await patch(id, { revision: 0, patch: { upsertNodes: extra } });
    expect(over.status).toBe(400);
    expect(over.body.error?.message).toContain(`at most ${LIMITS.maxGraphNodes.toLocaleString("en")} nodes`);
    const fits = await patch(id, { revision: 0, patch: { upsertNodes: extra.slice(0, 1) } });
    expect(fits.status).toBe(200);
    expect((await stored(id)).graph.nodes).toHaveLength(LIMITS.maxGraphNodes);
  });

  it("is refused to viewers and for another workspace's workflow", async () => {
    const id = await create(largeGraph(10));
    expect((await patch(id, { revision: 0, patch: {} }, viewerCookie)).status).toBe(403);
    const stranger = await signUpUser("Patch Stranger");
    expect((await patch(id, { revision: 0, patch: {} }, stranger.cookie)).status).toBe(404);
  });
});
