import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as runEventsRoute from "@/app/api/runs/[id]/events/route";
import * as runRoute from "@/app/api/runs/[id]/route";
import * as graphRoute from "@/app/api/workflows/[id]/graph/route";
import * as workflowRoute from "@/app/api/workflows/[id]/route";
import * as duplicateRoute from "@/app/api/workflows/[id]/duplicate/route";
import * as runsRoute from "@/app/api/workflows/[id]/runs/route";
import * as workflowsRoute from "@/app/api/workflows/route";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { db } from "@/lib/db/client";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { startOpenAiServer } from "../fixtures/openai-server";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { readEvents, routeParams, routeRequest, signUpUser } from "./helpers/session";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/** The internal API the editor and the workflow list use, called through the real route handlers. */
let owner: Awaited<ReturnType<typeof signUpUser>>;
let stranger: Awaited<ReturnType<typeof signUpUser>>;
let viewerCookie: string;
let worker: WorkerProcess;
const ticketGraph = exampleWorkflows({ providerId: "unused", model: "unused" })[1].graph;

async function createWorkflow(cookie: string, body: unknown) {
  const response = await workflowsRoute.POST(routeRequest("POST", "/api/workflows", cookie, body));
  return { status: response.status, body: (await response.json()) as { id: string; error?: { code: string; issues?: unknown[] } } };
}

beforeAll(async () => {
  worker = await startWorkerProcess();
  owner = await signUpUser("Routes Owner");
  stranger = await signUpUser("Routes Stranger");
  const viewer = await signUpUser("Routes Viewer");
  await db().membership.create({ data: { userId: viewer.userId, workspaceId: owner.workspaceId, role: "viewer" } });
  viewerCookie = `${viewer.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`;
});

afterAll(async () => {
  await worker?.stop();
});

describe("workflow routes", () => {
  it("creates, lists, renames, duplicates and deletes a workflow", async () => {
    const created = await createWorkflow(owner.cookie, { name: "Triage" });
    expect(created.status).toBe(201);
    const id = created.body.id;

    const list = await (await workflowsRoute.GET(routeRequest("GET", "/api/workflows", owner.cookie))).json();
    expect(list.workflows.map((w: { name: string }) => w.name)).toContain("Triage");

    const renamed = await workflowRoute.PATCH(routeRequest("PATCH", `/api/workflows/${id}`, owner.cookie, { name: "Ticket triage" }), routeParams(id));
    expect(renamed.status).toBe(200);
    const copy = await duplicateRoute.POST(routeRequest("POST", `/api/workflows/${id}/duplicate`, owner.cookie), routeParams(id));
    expect(copy.status).toBe(201);
    const copyId = ((await copy.json()) as { id: string }).id;
    const fetched = await (await workflowRoute.GET(routeRequest("GET", `/api/workflows/${copyId}`, owner.cookie), routeParams(copyId))).json();
    expect(fetched.name).toBe("Ticket triage (copy)");

    const deleted = await workflowRoute.DELETE(routeRequest("DELETE", `/api/workflows/${id}`, owner.cookie), routeParams(id));
    expect(deleted.status).toBe(204);
    const gone = await workflowRoute.GET(routeRequest("GET", `/api/workflows/${id}`, owner.cookie), routeParams(id));
    expect(gone.status).toBe(404);
  });

  it("rejects malformed bodies with the zod issues", async () => {
    const noName = await createWorkflow(owner.cookie, { name: "" });
    expect(noName.status).toBe(400);
    expect(noName.body.error?.code).toBe("invalid_request");
    expect(noName.body.error?.issues).toEqual([{ path: "name", message: "Name is required" }]);

    const notJson = await workflowsRoute.POST(routeRequest("POST", "/api/workflows", owner.cookie, "{oops"));
    expect(notJson.status).toBe(400);

    const { body } = await createWorkflow(owner.cookie, { name: "Graph" });
    const badGraph = await graphRoute.PUT(
      routeRequest("PUT", `/api/workflows/${body.id}/graph`, owner.cookie, { revision: 0, graph: { version: 1, nodes: [{ id: "Bad Id", type: "start" }], edges: [] } }),
      routeParams(body.id),
    );
    expect(badGraph.status).toBe(400);
    const issues = ((await badGraph.json()) as { error: { issues: { path: string }[] } }).error.issues;
    expect(issues.map((i) => i.path)).toContain("graph.nodes.0.id");
  });

  it("saves drafts with optimistic concurrency: a stale revision gets 409 and changes nothing", async () => {
    const { body } = await createWorkflow(owner.cookie, { name: "Concurrent" });
    const save = (revision: number, graph: unknown) =>
      graphRoute.PUT(routeRequest("PUT", `/api/workflows/${body.id}/graph`, owner.cookie, { revision, graph }), routeParams(body.id));
    const first = await save(0, ticketGraph);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ revision: 1 });
    const stale = await save(0, { version: 1, nodes: [], edges: [] });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error: { code: string; revision: number } }).error).toMatchObject({ code: "conflict", revision: 1 });
    const stored = await db().workflow.findUniqueOrThrow({ where: { id: body.id } });
    expect((stored.graph as { nodes: unknown[] }).nodes).toHaveLength(ticketGraph.nodes.length);
  });

  it("refuses a draft whose node data holds keys no node knows, naming the node and the key, and stores nothing", async () => {
    const { body } = await createWorkflow(owner.cookie, { name: "Unknown keys" });
    const [first, ...rest] = ticketGraph.nodes;
    const graph = { ...ticketGraph, nodes: [{ ...first, data: { ...first.data, timeoutMS: 5 } }, ...rest] };
    const response = await graphRoute.PUT(routeRequest("PUT", `/api/workflows/${body.id}/graph`, owner.cookie, { revision: 0, graph }), routeParams(body.id));
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string; problems: { code: string; nodeId: string; field: string }[] } };
    expect(error.code).toBe("invalid_graph");
    expect(error.message).toContain('"timeoutMS"');
    expect(error.problems).toEqual([expect.objectContaining({ code: "unknown_config_key", nodeId: first.id, field: "timeoutMS" })]);
    const stored = await db().workflow.findUniqueOrThrow({ where: { id: body.id } });
    expect(stored.revision).toBe(0);
  });

  it("keeps workspaces apart and enforces roles", async () => {
    const { body } = await createWorkflow(owner.cookie, { name: "Private" });
    const asStranger = await workflowRoute.GET(routeRequest("GET", `/api/workflows/${body.id}`, stranger.cookie), routeParams(body.id));
    expect(asStranger.status).toBe(404);
    const strangerRun = await runsRoute.POST(routeRequest("POST", `/api/workflows/${body.id}/runs`, stranger.cookie, { inputs: {} }), routeParams(body.id));
    expect(strangerRun.status).toBe(404);

    const asViewer = await workflowRoute.GET(routeRequest("GET", `/api/workflows/${body.id}`, viewerCookie), routeParams(body.id));
    expect(asViewer.status).toBe(200);
    const viewerEdit = await workflowRoute.PATCH(routeRequest("PATCH", `/api/workflows/${body.id}`, viewerCookie, { name: "x" }), routeParams(body.id));
    expect(viewerEdit.status).toBe(403);

    const signedOut = await workflowsRoute.GET(routeRequest("GET", "/api/workflows", null));
    expect(signedOut.status).toBe(401);
  });
});

describe("run routes and live events", () => {
  it("refuses an invalid graph with the problems and their node ids", async () => {
    const { body } = await createWorkflow(owner.cookie, { name: "Invalid", graph: { ...ticketGraph, edges: [] } });
    const response = await runsRoute.POST(routeRequest("POST", `/api/workflows/${body.id}/runs`, owner.cookie, { inputs: {} }), routeParams(body.id));
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { code: string; problems: { nodeId?: string; message: string }[] } }).error;
    expect(error.code).toBe("invalid_graph");
    expect(error.problems.some((p) => p.nodeId === "summary")).toBe(true);
  });

  it("streams a run live, and a late subscriber gets the finished state from PostgreSQL", async () => {
    const { body } = await createWorkflow(owner.cookie, { name: "Live", graph: ticketGraph });
    const started = await runsRoute.POST(
      routeRequest("POST", `/api/workflows/${body.id}/runs`, owner.cookie, { inputs: { customer: "Ada", message: "refund please", priority: 1 } }),
      routeParams(body.id),
    );
    expect(started.status).toBe(201);
    const { runId } = (await started.json()) as { runId: string };

    const live = await runEventsRoute.GET(routeRequest("GET", `/api/runs/${runId}/events`, owner.cookie), routeParams(runId));
    expect(live.headers.get("content-type")).toContain("text/event-stream");
    // A fast worker may finish before the stream opens: then the snapshot alone carries the end.
    const finished = (e: { event: string; data: unknown }) =>
      e.event === "run" ? ["succeeded", "failed"].includes((e.data as { status: string }).status) : e.event === "snapshot" && ["succeeded", "failed"].includes((e.data as { run: { status: string } }).run.status);
    const events = await readEvents(live, finished);
    expect(events[0]!.event).toBe("snapshot");
    const last = events.at(-1)!;
    expect(last.event === "run" ? last.data : (last.data as { run: unknown }).run).toMatchObject({ status: "succeeded" });
    // Every node's final status is known from the snapshot plus the events that followed it.
    const finalStatus = new Map<string, string>();
    for (const step of (events[0]!.data as { steps: { nodeId: string; status: string }[] }).steps) finalStatus.set(step.nodeId, step.status);
    for (const e of events.slice(1)) if (e.event === "step") finalStatus.set((e.data as { nodeId: string }).nodeId, (e.data as { status: string }).status);
    expect(Object.fromEntries(finalStatus)).toEqual({
      start: "succeeded",
      summary: "succeeded",
      route: "succeeded",
      billing: "succeeded",
      escalate: "skipped",
      standard: "skipped",
      routed: "succeeded",
      end: "succeeded",
    });

    await waitForRun(runId);
    const late = await runEventsRoute.GET(routeRequest("GET", `/api/runs/${runId}/events`, owner.cookie), routeParams(runId));
    const lateEvents = await readEvents(late, () => false, 5_000);
    expect(lateEvents).toHaveLength(1);
    const snapshot = lateEvents[0]!.data as { run: { status: string; output: unknown }; steps: unknown[] };
    expect(snapshot.run.status).toBe("succeeded");
    expect(snapshot.run.output).toMatchObject({ branch: "case_2", queue: "billing" });
    expect(snapshot.steps).toHaveLength(ticketGraph.nodes.length);

    const detail = await runRoute.GET(routeRequest("GET", `/api/runs/${runId}`, owner.cookie), routeParams(runId));
    expect(detail.status).toBe(200);
    const hidden = await runRoute.GET(routeRequest("GET", `/api/runs/${runId}`, stranger.cookie), routeParams(runId));
    expect(hidden.status).toBe(404);
    const hiddenEvents = await runEventsRoute.GET(routeRequest("GET", `/api/runs/${runId}/events`, stranger.cookie), routeParams(runId));
    expect(hiddenEvents.status).toBe(404);
  });

  it("gives a watcher who connects mid-stream every token exactly once", async () => {
    const server = await startOpenAiServer({ apiKey: "sk-test-key-1234" });
    try {
      const provider = await createTestProvider(owner.workspaceId, server.url);
      const graph = exampleWorkflows({ providerId: provider.id, model: "test-model" })[0].graph;
      const { body } = await createWorkflow(owner.cookie, { name: "Streaming", graph });
      const answer = "one two three four five six seven eight nine ten";
      server.script({ text: answer, chunkDelayMs: 150 });
      const started = await runsRoute.POST(
        routeRequest("POST", `/api/workflows/${body.id}/runs`, owner.cookie, { inputs: { question: "count" } }),
        routeParams(body.id),
      );
      const { runId } = (await started.json()) as { runId: string };
      // Connect only once the model has already streamed a few words.
      for (let i = 0; i < 100 && server.openStreams() === 0; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500));

      const response = await runEventsRoute.GET(routeRequest("GET", `/api/runs/${runId}/events`, owner.cookie), routeParams(runId));
      const events = await readEvents(response, (e) => e.event === "run" && (e.data as { status: string }).status === "succeeded");
      const snapshot = events[0]!.data as { steps: { nodeId: string; status: string; partialText?: string }[] };
      const llm = snapshot.steps.find((s) => s.nodeId === "llm");
      expect(llm?.status).toBe("running");
      expect(llm?.partialText?.length ?? 0).toBeGreaterThan(0);
      const streamed =
        (llm?.partialText ?? "") +
        events
          .filter((e) => e.event === "delta")
          .map((e) => (e.data as { text: string }).text)
          .join("");
      expect(streamed).toBe(answer);
    } finally {
      await server.close();
    }
  });
});
