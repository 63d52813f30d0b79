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
    const response = await create(cookies.developer, { name: "API_TOKEN", description: "Payments", value: VALUE, allowedHosts: ["127.0.0.1"] });
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
    expect((await create(cookies.editor, { name: "X_KEY", value: "12345678", allowedHosts: ["api.example.com"] })).status).toBe(403);
    expect((await create(cookies.viewer, { name: "X_KEY", value: "12345678" })).status).toBe(403);
    expect((await create(cookies.owner, { name: "API_TOKEN", value: "other-value", allowedHosts: ["api.example.com"] })).status).toBe(409);
    const bad = await create(cookies.owner, { name: "has space", value: "12345678", allowedHosts: ["api.example.com"] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { issues: { path: string }[] } }).error.issues[0]!.path).toBe("name");
    // Short values get no hint (four characters of eight would give half away).
    const short = (await (await create(cookies.owner, { name: "PIN", value: "1234", allowedHosts: ["api.example.com"] })).json()) as { hint: string };
    expect(short.hint).toBe("");
  });

  it("requires allowed hosts on create, with a message saying what to enter", async () => {
    const missing = await create(cookies.owner, { name: "NO_HOSTS", value: "12345678" });
    expect(missing.status).toBe(400);
    const url = await create(cookies.owner, { name: "URL_HOST", value: "12345678", allowedHosts: ["https://api.example.com/v1"] });
    expect(url.status).toBe(400);
    const issues = ((await url.json()) as { error: { issues: { path: string; message: string }[] } }).error.issues;
    expect(issues[0]).toMatchObject({ path: "allowedHosts.0", message: expect.stringMatching(/is a URL: enter only its host/) });
    // A developer cannot restrict a secret above their own role.
    expect((await create(cookies.developer, { name: "TOO_HIGH", value: "12345678", allowedHosts: ["a.example.com"], minRole: "admin" })).status).toBe(403);
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

describe("allowed hosts, roles and used-by on the secret's page", () => {
  it("lets the creator or an admin change hosts and role, not another developer; shows which workflows and tools use it", async () => {
    const developer2 = await memberCookie("developer");
    const made = (await (await create(cookies.developer, { name: "POLICY_KEY", value: "policy-value-123", allowedHosts: ["a.example.com"] })).json()) as { id: string };
    const patch = (cookie: string, body: unknown) => secretRoute.PATCH(routeRequest("PATCH", `/api/secrets/${made.id}`, cookie, body), routeParams(made.id));

    expect((await patch(developer2, { allowedHosts: ["evil.example.net"] })).status).toBe(403);
    expect((await patch(developer2, { value: "rotated-by-other-dev" })).status).toBe(200);
    expect((await patch(cookies.developer, { allowedHosts: ["a.example.com", "*.b.example.com"] })).status).toBe(200);
    expect((await patch(cookies.admin, { minRole: "admin" })).status).toBe(200);
    // Now restricted to admins: developers may no longer rotate it.
    expect((await patch(cookies.developer, { value: "rotated-again-123" })).status).toBe(403);
    expect((await patch(cookies.admin, { allowedHosts: [] })).status).toBe(400);
    // Audited: who changed where it may go and who may use it (never the value).
    const audit = await db().auditEvent.findMany({ where: { targetType: "secret", targetId: made.id }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["secret.created", "secret.updated", "secret.updated", "secret.updated"]);
    expect(audit[2]!.metadata).toMatchObject({ name: "POLICY_KEY", allowedHosts: ["a.example.com", "*.b.example.com"], previousHosts: ["a.example.com"] });
    expect(audit[3]!.metadata).toMatchObject({ minRole: "admin", previousRole: null });
    expect(JSON.stringify(audit)).not.toMatch(/policy-value-123|rotated-by-other-dev/);

    const member = { userId: owner.userId, email: "", name: "", workspaceId: owner.workspaceId, workspaceName: "", role: "owner" as const };
    const graph: Graph = {
      version: 1,
      nodes: [{ id: "call", type: "http", position: { x: 0, y: 0 }, data: { method: "GET", url: "https://a.example.com", headers: [{ key: "X-Key", value: "{{ secrets.POLICY_KEY }}" }] } }],
      edges: [],
    };
    const workflow = await createWorkflow(member, { name: "uses policy key", graph });
    const list = (await (await secretsRoute.GET(routeRequest("GET", "/api/secrets", cookies.editor))).json()) as {
      secrets: { name: string; allowedHosts: string[]; minRole: string | null; usedBy: { kind: string; id: string; nodeIds?: string[] }[] }[];
    };
    const view = list.secrets.find((s) => s.name === "POLICY_KEY")!;
    expect(view).toMatchObject({ allowedHosts: ["a.example.com", "*.b.example.com"], minRole: "admin" });
    expect(view.usedBy).toEqual([{ kind: "workflow", id: workflow.id, name: "uses policy key", nodeIds: ["call"] }]);
  });

  it("never sends a secret stored before host restrictions (empty list) until its hosts are set", async () => {
    const member = { userId: owner.userId, email: "", name: "", workspaceId: owner.workspaceId, workspaceName: "", role: "owner" as const };
    const made = (await (await create(cookies.owner, { name: "LEGACY_KEY", value: "legacy-value-98765", allowedHosts: ["127.0.0.1"] })).json()) as { id: string };
    // What the migration leaves on secrets that existed before it.
    await db().secret.update({ where: { id: made.id }, data: { allowedHosts: [] } });
    const graph: Graph = {
      version: 1,
      nodes: [
        { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
        { id: "call", type: "http", position: { x: 300, y: 0 }, data: { method: "GET", url: `${server.url}/legacy`, headers: [{ key: "X-Key", value: "{{ secrets.LEGACY_KEY }}" }] } },
        { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "status", value: "{{ call.status }}" }] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "call" },
        { id: "e2", source: "call", target: "end" },
      ],
    };
    const workflow = await createWorkflow(member, { name: "legacy", graph });
    const locked = await waitForRun((await startRun(member, workflow.id, {})).runId);
    expect(locked.status).toBe("failed");
    expect(locked.steps.find((s) => s.nodeId === "call")!.error).toMatchObject({ code: "secret_denied", message: expect.stringMatching(/LEGACY_KEY .*no allowed hosts yet/) });
    expect(server.count("/legacy")).toBe(0);

    await secretRoute.PATCH(routeRequest("PATCH", `/api/secrets/${made.id}`, cookies.owner, { allowedHosts: ["127.0.0.1"] }), routeParams(made.id));
    expect((await waitForRun((await startRun(member, workflow.id, {})).runId)).status).toBe("succeeded");
    expect(server.count("/legacy")).toBe(1);
  });
});

describe("{{ secrets.NAME }} in an HTTP node, through a worker", () => {
  it("sends the value to the server but records [redacted] in every step row, even when the server echoes it", async () => {
    server.reset();
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
