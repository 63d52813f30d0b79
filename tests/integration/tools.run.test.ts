import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { startRun } from "@/lib/runs/service";
import { createSecret } from "@/lib/secrets/service";
import { createTool } from "@/lib/tools/service";
import { createWorkflow } from "@/lib/workflows/service";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { createTestMember } from "./helpers/members";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/** A Tool node calling an HTTP tool with a bearer secret, through the queue and a real worker process. */
const TOKEN = "bearer-run-secret-77889900";
let server: CountingServer;
let worker: WorkerProcess;
let member: Member;

beforeAll(async () => {
  server = await startCountingServer();
  // Private networks closed, as in production: the workspace allow-list is what opens the test server.
  worker = await startWorkerProcess({ WEFT_ALLOW_PRIVATE_NETWORK: "false" });
  member = await createTestMember("owner");
  await createSecret(member, { name: "CRM_TOKEN", value: TOKEN, allowedHosts: ["127.0.0.1"] });
});

afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

function toolGraph(toolId: string): Graph {
  return {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "customer", label: "", type: "string", required: true, description: "" }] } },
      { id: "lookup", type: "tool", position: { x: 300, y: 0 }, data: { toolId, toolName: "crm_lookup", inputs: [{ name: "customer", value: "{{ start.customer }}", required: true }], outputs: [] } },
      { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "result", value: "{{ lookup.result }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "lookup" },
      { id: "e2", source: "lookup", target: "end" },
    ],
  };
}

describe("tools in a run", () => {
  it("sends the bearer secret to the server; the run's steps and output show [redacted]; blocked until allow-listed", async () => {
    server.on("/crm/customers", (request) => ({ body: { customer: request.query.name, auth: request.headers.authorization } }));
    const tool = await createTool(member, {
      kind: "http",
      name: "crm_lookup",
      inputSchema: { type: "object", properties: { customer: { type: "string" } }, required: ["customer"] },
      config: { url: `${server.url}/crm/customers?name={{ customer }}`, auth: { type: "bearer", secret: "CRM_TOKEN" } },
    });
    const workflow = await createWorkflow(member, { name: "crm", graph: toolGraph(tool.id) });

    const blocked = await waitForRun((await startRun(member, workflow.id, { inputs: { customer: "Ada" } })).runId);
    expect(blocked.status).toBe("failed");
    expect(blocked.steps.find((s) => s.nodeId === "lookup")!.error).toMatchObject({ code: "tool_error", message: expect.stringMatching(/blocked/) });
    expect(server.requests).toHaveLength(0);

    await db().workspace.update({ where: { id: member.workspaceId }, data: { networkAllowList: [`127.0.0.1:${server.port}`] } });
    const { runId } = await startRun(member, workflow.id, { inputs: { customer: "Ada" } });
    const run = await waitForRun(runId);
    expect(run.status).toBe("succeeded");
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(run.output).toEqual({ result: { customer: "Ada", auth: "Bearer [redacted]" } });
    const rows = JSON.stringify(await db().runStep.findMany({ where: { runId } })) + JSON.stringify(run);
    expect(rows).not.toContain(TOKEN);
    expect(rows).toContain("[redacted]");
  });
});
