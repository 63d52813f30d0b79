import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { startRun } from "@/lib/runs/service";
import { createWorkflow } from "@/lib/workflows/service";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { createTestMember } from "./helpers/members";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/** The HTTP node end to end: a real worker process calls a real (loopback) server through the guarded client. */
let server: CountingServer;
let worker: WorkerProcess;
let member: Member;

function httpGraph(http: Record<string, unknown>, end: Record<string, string>): Graph {
  return {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "name", label: "", type: "string", required: true, description: "" }] } },
      { id: "call", type: "http", position: { x: 300, y: 0 }, data: http },
      { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: Object.entries(end).map(([name, value]) => ({ name, value })) } },
    ],
    edges: [
      { id: "e1", source: "start", target: "call" },
      { id: "e2", source: "call", target: "end" },
    ],
  };
}

beforeAll(async () => {
  server = await startCountingServer();
  worker = await startWorkerProcess();
  member = await createTestMember();
});

afterAll(async () => {
  await worker?.stop();
  await server?.close();
  await db().$disconnect();
});

beforeEach(() => server.reset());

describe("HTTP node through the queue and a real worker", () => {
  it("POSTs a rendered JSON body with the step's Idempotency-Key and publishes the parsed answer", async () => {
    server.on("/users", (request) => ({ status: 201, body: { created: JSON.parse(request.body) as unknown, id: 42 } }));
    const graph = httpGraph(
      {
        method: "POST",
        url: `${server.url}/users`,
        query: [{ key: "source", value: "weft" }],
        headers: [{ key: "X-Caller", value: "{{ start.name }}" }],
        bodyType: "json",
        body: '{"name": {{ start.name | json }}}',
      },
      { status: "{{ call.status }}", id: "{{ call.body.id }}", created: "{{ call.body.created }}" },
    );
    const workflow = await createWorkflow(member, { name: "http post", graph });
    const { runId } = await startRun(member, workflow.id, { inputs: { name: "Ada" } });
    const run = await waitForRun(runId);

    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ status: 201, id: 42, created: { name: "Ada" } });
    expect(server.count("/users")).toBe(1);
    const request = server.requests[0];
    expect(request.query).toEqual({ source: "weft" });
    expect(request.headers["x-caller"]).toBe("Ada");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["idempotency-key"]).toBe(`${runId}:call:0`);
    const step = run.steps.find((s) => s.nodeId === "call")!;
    expect(step.output).toMatchObject({ status: 201, headers: { "content-type": "application/json" } });
  });

  it("fails the run on a 404 with the status and the body's start in the step error", async () => {
    server.on("/missing", { status: 404, body: { error: "no such user" } });
    const workflow = await createWorkflow(member, { name: "http 404", graph: httpGraph({ url: `${server.url}/missing` }, { status: "{{ call.status }}" }) });
    const { runId } = await startRun(member, workflow.id, { inputs: { name: "Ada" } });
    const run = await waitForRun(runId);
    expect(run.status).toBe("failed");
    const step = run.steps.find((s) => s.nodeId === "call")!;
    expect(step.error).toMatchObject({ code: "http_error", message: 'The server answered 404: {"error":"no such user"}' });
    // 4xx is not retried.
    expect(server.count("/missing")).toBe(1);
    expect(step.input).toMatchObject({ method: "GET", url: `${server.url}/missing` });
  });
});
