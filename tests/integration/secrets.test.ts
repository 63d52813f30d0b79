import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as secretRoute from "@/app/api/secrets/[id]/route";
import * as secretsRoute from "@/app/api/secrets/route";
import type { Role } from "@/lib/auth/member";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { startRun } from "@/lib/runs/service";
import { resolveSecret } from "@/lib/secrets/service";
import { createWorkflow } from "@/lib/workflows/service";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { waitForRun } from "./helpers/runs";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/** Settings → Secrets routes (roles, masking) and a secret used by an HTTP node through a real worker. */
const VALUE = "sk-live-DO-NOT-LEAK-4242";
let owner: { cookie: string; userId: string; workspaceId: string };
let stranger: { cookie: string };
const cookies = {} as Record<Role, string>;
let server: CountingServer;
let worker: WorkerProcess;

async function memberCookie(role: Role): Promise<string> {
  const user = await signUpUser(`Secrets ${role}`);
  await db().membership.create({ data: { userId: user.userId, workspaceId: owner.workspaceId, role } });
  return `${user.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`;
}

const create = (cookie: string, body: unknown) => secretsRoute.POST(routeRequest("POST", "/api/secrets", cookie, body));

beforeAll(async () => {
  owner = await signUpUser("Secrets Owner");
  stranger = await signUpUser("Secrets Stranger");
  cookies.owner = owner.cookie;
  for (const role of ["admin", "developer", "editor", "viewer"] as const) cookies[role] = await memberCookie(role);
  server = await startCountingServer();
  worker = await startWorkerProcess();
});

afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

describe("/api/secrets", () => {
  let id: string;

  it("creates a secret for developers and answers with the masked view only", async () => {
    const response = await create(cookies.developer, { name: "API_TOKEN", description: "Payments", value: VALUE });
    expect(response.status).toBe(201);
    const text = await response.text();
    expect(text).not.toContain(VALUE);
    const view = JSON.parse(text) as { id: string; name: string; hint: string; keyId: string };
    expect(view).toMatchObject({ name: "API_TOKEN", hint: "4242", keyId: "test1" });
    id = view.id;
    // At rest: AES-GCM ciphertext with the key id, never the value.
    const row = await db().secret.findUniqueOrThrow({ where: { id } });
    expect(row.cipher).toMatch(/^v1:test1:/);
    expect(row.cipher).not.toContain(VALUE);
    expect(await resolveSecret(db(), owner.workspaceId, "API_TOKEN")).toBe(VALUE);
  });

  it("refuses editors and viewers writing, duplicates and bad names", async () => {
    expect((await create(cookies.editor, { name: "X_KEY", value: "12345678" })).status).toBe(403);
    expect((await create(cookies.viewer, { name: "X_KEY", value: "12345678" })).status).toBe(403);
    expect((await create(cookies.owner, { name: "API_TOKEN", value: "other-value" })).status).toBe(409);
    const bad = await create(cookies.owner, { name: "has space", value: "12345678" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { issues: { path: string }[] } }).error.issues[0]!.path).toBe("name");
    // Short values get no hint (four characters of eight would give half away).
    const short = (await (await create(cookies.owner, { name: "PIN", value: "1234" })).json()) as { hint: string };
    expect(short.hint).toBe("");
  });

  it("lists masked secrets for editors and above, never the value; viewers get 403", async () => {
    const list = await secretsRoute.GET(routeRequest("GET", "/api/secrets", cookies.editor));
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).not.toContain(VALUE);
    expect((JSON.parse(text) as { secrets: { name: string }[] }).secrets.map((s) => s.name)).toEqual(["API_TOKEN", "PIN"]);
    expect((await secretsRoute.GET(routeRequest("GET", "/api/secrets", cookies.viewer))).status).toBe(403);
    expect((await secretsRoute.GET(routeRequest("GET", "/api/secrets", null))).status).toBe(401);
  });

  it("rotates the value (developers), deletes only for admins, and hides other workspaces' secrets", async () => {
    const rotated = await secretRoute.PATCH(routeRequest("PATCH", `/api/secrets/${id}`, cookies.developer, { value: `${VALUE}-v2` }), routeParams(id));
    expect(rotated.status).toBe(200);
    const text = await rotated.text();
    expect(text).not.toContain(VALUE);
    expect(JSON.parse(text)).toMatchObject({ hint: "2-v2" });
    expect(await resolveSecret(db(), owner.workspaceId, "API_TOKEN")).toBe(`${VALUE}-v2`);
    await secretRoute.PATCH(routeRequest("PATCH", `/api/secrets/${id}`, cookies.owner, { value: VALUE }), routeParams(id));

    expect((await secretRoute.PATCH(routeRequest("PATCH", `/api/secrets/${id}`, stranger.cookie, { value: "x-stolen-1" }), routeParams(id))).status).toBe(404);
    expect((await secretRoute.DELETE(routeRequest("DELETE", `/api/secrets/${id}`, stranger.cookie), routeParams(id))).status).toBe(404);
    expect((await secretRoute.DELETE(routeRequest("DELETE", `/api/secrets/${id}`, cookies.developer), routeParams(id))).status).toBe(403);
    const pin = await db().secret.findFirstOrThrow({ where: { workspaceId: owner.workspaceId, name: "PIN" } });
    expect((await secretRoute.DELETE(routeRequest("DELETE", `/api/secrets/${pin.id}`, cookies.admin), routeParams(pin.id))).status).toBe(204);
  });
});

describe("{{ secrets.NAME }} in an HTTP node, through a worker", () => {
  it("sends the value to the server but records [redacted] in every step row, even when the server echoes it", async () => {
    server.on("/echo", (request) => ({ body: { youSent: request.headers.authorization } }));
    const graph: Graph = {
      version: 1,
      nodes: [
        { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
        {
          id: "call",
          type: "http",
          position: { x: 300, y: 0 },
          data: { method: "GET", url: `${server.url}/echo`, headers: [{ key: "Authorization", value: "Bearer {{ secrets.API_TOKEN }}" }] },
        },
        { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "echo", value: "{{ call.body.youSent }}" }] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "call" },
        { id: "e2", source: "call", target: "end" },
      ],
    };
    const member = { userId: owner.userId, email: "", name: "", workspaceId: owner.workspaceId, workspaceName: "", role: "owner" as const };
    const workflow = await createWorkflow(member, { name: "secret header", graph });
    const { runId } = await startRun(member, workflow.id, {});
    const run = await waitForRun(runId);

    expect(run.status).toBe("succeeded");
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${VALUE}`);
    expect(run.output).toEqual({ echo: "Bearer [redacted]" });
    const stored = JSON.stringify(await db().runStep.findMany({ where: { runId } })) + JSON.stringify(run);
    expect(stored).not.toContain(VALUE);
    expect(stored).toContain("[redacted]");
  });
});
