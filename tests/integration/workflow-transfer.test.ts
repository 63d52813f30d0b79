import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as exportRoute from "@/app/api/workflows/[id]/export/route";
import * as importRoute from "@/app/api/workflows/import/route";
import * as workflowsRoute from "@/app/api/workflows/route";
import { MAX_GRAPH_BODY_BYTES } from "@/lib/auth/http";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { WeftApiError } from "@/lib/client/weft-client";
import { clientFor, createKey } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";

/** Export and import of workflow files: an import is validated data, never executed. */
let owner: Awaited<ReturnType<typeof signUpUser>>;
let other: Awaited<ReturnType<typeof signUpUser>>;
let viewerCookie: string;
let server: CountingServer;

function sideEffectGraph(url: string): Graph {
  return {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
      { id: "call", type: "http", position: { x: 300, y: 0 }, data: { method: "POST", url, bodyType: "none" } },
      { id: "busy", type: "code", position: { x: 600, y: 0 }, data: { code: "while (true) {}", inputs: [], outputs: [{ name: "x", type: "number" }] } },
      { id: "end", type: "end", position: { x: 900, y: 0 }, data: { outputs: [{ name: "status", value: "{{ call.status }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "call" },
      { id: "e2", source: "call", target: "busy" },
      { id: "e3", source: "busy", target: "end" },
    ],
  };
}

const importBody = (graph: unknown, name = "Imported") => ({ file: { format: "weft.workflow", version: 1, name, description: "from a file", graph } });

async function importFile(cookie: string, body: unknown) {
  const response = await importRoute.POST(routeRequest("POST", "/api/workflows/import", cookie, body));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { id?: string; error?: { code: string; message: string; problems?: { nodeId?: string; message: string }[]; issues?: unknown[] } } };
}

beforeAll(async () => {
  server = await startCountingServer();
  owner = await signUpUser("Transfer Owner");
  other = await signUpUser("Transfer Other");
  const viewer = await signUpUser("Transfer Viewer");
  await db().membership.create({ data: { userId: viewer.userId, workspaceId: owner.workspaceId, role: "viewer" } });
  viewerCookie = `${viewer.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`;
});

afterAll(async () => {
  await server?.close();
});

describe("workflow files", () => {
  it("exports a workflow as a file that imports into another workspace unchanged", async () => {
    const graph = sideEffectGraph(`${server.url}/hook`);
    const created = await workflowsRoute.POST(routeRequest("POST", "/api/workflows", owner.cookie, { name: "Hook caller", description: "calls a hook", graph }));
    const { id } = (await created.json()) as { id: string };

    const exported = await exportRoute.GET(routeRequest("GET", `/api/workflows/${id}/export`, owner.cookie), routeParams(id));
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-disposition")).toBe('attachment; filename="Hook-caller.weft.json"');
    const file = (await exported.json()) as { format: string; version: number; name: string; graph: Graph };
    expect(file).toMatchObject({ format: "weft.workflow", version: 1, name: "Hook caller", description: "calls a hook" });
    expect(file.graph).toEqual(graph);

    // Someone else's workspace cannot export it.
    const foreign = await exportRoute.GET(routeRequest("GET", `/api/workflows/${id}/export`, other.cookie), routeParams(id));
    expect(foreign.status).toBe(404);

    const imported = await importFile(other.cookie, { file, name: "Hook caller (imported)" });
    expect(imported.status).toBe(201);
    const row = await db().workflow.findUniqueOrThrow({ where: { id: imported.body.id! } });
    expect(row).toMatchObject({ workspaceId: other.workspaceId, name: "Hook caller (imported)", description: "calls a hook" });
    expect(row.graph).toEqual(graph);
  });

  it("never executes anything on import: no run, no HTTP call", async () => {
    server.reset();
    const imported = await importFile(owner.cookie, importBody(sideEffectGraph(`${server.url}/side-effect`), "Side effects"));
    expect(imported.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await db().run.count({ where: { workflowId: imported.body.id } })).toBe(0);
    expect(server.requests).toHaveLength(0);
  });

  it("refuses an invalid graph with every problem and its node id, and saves nothing", async () => {
    const before = await db().workflow.count({ where: { workspaceId: owner.workspaceId } });
    const broken: Graph = {
      version: 1,
      nodes: [
        { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
        { id: "mystery", type: "no_such_node", position: { x: 200, y: 0 }, data: {} },
        { id: "shout", type: "template", position: { x: 400, y: 0 }, data: { template: "{{ nowhere.text }}", format: "text" } },
        { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "shout" },
        { id: "e2", source: "shout", target: "end" },
      ],
    };
    const refused = await importFile(owner.cookie, importBody(broken));
    expect(refused.status).toBe(400);
    expect(refused.body.error?.code).toBe("invalid_graph");
    expect(refused.body.error?.message).toMatch(/nothing was imported/);
    const nodeIds = refused.body.error?.problems?.map((p) => p.nodeId);
    expect(nodeIds).toEqual(expect.arrayContaining(["mystery", "shout"]));
    expect(await db().workflow.count({ where: { workspaceId: owner.workspaceId } })).toBe(before);
  });

  it("refuses what is not a workflow file, an oversize body, and viewers", async () => {
    const notAFile = await importFile(owner.cookie, { file: { format: "n8n", version: 1, name: "x", graph: { version: 1, nodes: [], edges: [] } } });
    expect(notAFile.status).toBe(400);
    expect(notAFile.body.error?.code).toBe("invalid_request");
    expect(JSON.stringify(notAFile.body.error?.issues)).toMatch(/Not a Weft workflow file/);

    const badGraph = await importFile(owner.cookie, importBody({ version: 1, nodes: [{ id: "Bad Id", type: "start" }], edges: [] }));
    expect(badGraph.status).toBe(400);
    expect(badGraph.body.error?.code).toBe("invalid_request");

    // Graph bodies may be as large as MAX_GRAPH_BODY_BYTES (a 5,000-node graph); beyond it, 413.
    const huge = importBody({ version: 1, nodes: [], edges: [], padding: "x".repeat(MAX_GRAPH_BODY_BYTES + 1024) });
    const tooBig = await importFile(owner.cookie, huge);
    expect(tooBig.status).toBe(413);

    const asViewer = await importFile(viewerCookie, importBody(sideEffectGraph(`${server.url}/x`)));
    expect(asViewer.status).toBe(403);
  });

  it("imports through the public API with a workflows:write key, and only with one", async () => {
    const member = await createTestMember("owner");
    const writer = clientFor((await createKey(member, ["workflows:write"])).secret);
    const file = { format: "weft.workflow" as const, version: 1 as const, name: "From the API", description: "", graph: sideEffectGraph(`${server.url}/api`) };
    const imported = await writer.importWorkflow({ file });
    expect(imported.name).toBe("From the API");
    expect((await db().workflow.findUniqueOrThrow({ where: { id: imported.id } })).workspaceId).toBe(member.workspaceId);

    const broken = { ...file, graph: { ...file.graph, nodes: file.graph.nodes.filter((n) => n.id !== "call") } };
    const refused = await writer.importWorkflow({ file: broken }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WeftApiError);
    expect(refused).toMatchObject({ status: 400, code: "invalid_graph" });

    const reader = clientFor((await createKey(member, ["workflows:read"])).secret);
    await expect(reader.importWorkflow({ file })).rejects.toMatchObject({ status: 403 });
  });
});
