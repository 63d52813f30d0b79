import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as connectRoute from "@/app/api/tool-sources/mcp/[id]/connect/route";
import * as detailRoute from "@/app/api/tool-sources/mcp/[id]/route";
import * as listRoute from "@/app/api/tool-sources/mcp/route";
import { db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import { env } from "@/lib/env";
import { createSecret } from "@/lib/secrets/service";
import { callMcpTool } from "@/lib/tools/mcp/call";
import { shutdownMcpPool } from "@/lib/tools/mcp/pool";
import { FREE_COMMAND_REFUSED, type McpSourceView, type McpStdioOptions, type McpSyncResult } from "@/lib/tools/mcp/schema";
import { createMcpSource, getMcpStdioOptions } from "@/lib/tools/mcp/service";
import { integrationEnv } from "../../vitest.config";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";

/**
 * stdio MCP servers are the operator's decision (issue 8, item 1): a workspace picks an entry of
 * WEFT_MCP_STDIO_SERVERS by id and cannot run a command of its own; an allowed server starts with
 * an empty environment except what its source declares (secrets resolved), PATH and HOME, in a
 * directory of its own. The env-dump fixture writes a marker and its whole environment on start.
 */

const ENV_FIXTURE = path.resolve("tests/fixtures/mcp-server-env.ts");
const DUMP_SECRET = `dump-secret-${randomUUID()}`;
let owner: { cookie: string; workspaceId: string; userId: string };

/** A directory the free-command attempts would write their marker into if they ever ran. */
const attackOut = mkdtempSync(path.join(tmpdir(), "weft-mcp-attack-"));
const markers = () => readdirSync(attackOut);

const post = (body: unknown) => listRoute.POST(routeRequest("POST", "/api/tool-sources/mcp", owner.cookie, body), undefined as never);
const connect = async (id: string) => (await (await connectRoute.POST(routeRequest("POST", `/api/tool-sources/mcp/${id}/connect`, owner.cookie), routeParams(id))).json()) as McpSyncResult;

beforeAll(async () => {
  owner = await signUpUser("Stdio Operator");
  const member = { userId: owner.userId, workspaceId: owner.workspaceId, email: "", name: "", workspaceName: "", role: "owner" as const };
  // A stdio process can send what it gets anywhere, so only a secret allowed to any host may go into its env.
  await createSecret(member, { name: "DUMP_SECRET", value: DUMP_SECRET, allowedHosts: ["*"] });
});

afterAll(async () => {
  await shutdownMcpPool();
  await db().$disconnect();
});

describe("a workspace cannot run a command of its own", () => {
  it("registering a free command is a 400 that says why, and nothing starts", async () => {
    const free = { name: "Free command", config: { transport: "stdio", command: process.execPath, args: ["--import", "tsx", ENV_FIXTURE, "--out", attackOut], env: {} } };
    const response = await post(free);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { issues: { path: string; message: string }[] } };
    expect(body.error.issues).toContainEqual({ path: "config.command", message: FREE_COMMAND_REFUSED });
    // A command next to an allowed id is refused too.
    expect((await post({ name: "Smuggled", config: { transport: "stdio", serverId: "env-dump", command: "/bin/sh", env: {} } })).status).toBe(400);
    expect(await db().toolSource.count({ where: { workspaceId: owner.workspaceId } })).toBe(0);
    expect(markers()).toEqual([]);
  });

  it("an id the operator does not list, or a variable its entry does not allow, is a 400", async () => {
    const unknown = await post({ name: "Unknown", config: { transport: "stdio", serverId: "shell", env: {} } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain("not allowed by the operator");
    const extraVariable = await post({ name: "Preload", config: { transport: "stdio", serverId: "env-dump", env: { NODE_OPTIONS: `--require ${ENV_FIXTURE}` } } });
    expect(extraVariable.status).toBe(400);
    expect(JSON.stringify(await extraVariable.json())).toContain("NODE_OPTIONS");
  });

  it("a stdio source stored with a free command before this change no longer starts", async () => {
    const legacy = await db().toolSource.create({
      data: {
        workspaceId: owner.workspaceId,
        kind: "mcp",
        name: "Legacy command",
        createdById: owner.userId,
        config: { server: { transport: "stdio", command: process.execPath, args: ["--import", "tsx", ENV_FIXTURE, "--out", attackOut], env: {} }, toolPrefix: "legacy" },
      },
    });
    const result = await connect(legacy.id);
    expect(result.ok).toBe(false);
    expect(result.message).toContain("not allowed by the operator");
    const view = (await (await detailRoute.GET(routeRequest("GET", `/api/tool-sources/mcp/${legacy.id}`, owner.cookie), routeParams(legacy.id))).json()) as McpSourceView;
    expect(view).toMatchObject({ status: "error", config: { command: process.execPath } });
    expect(view.lastError).toContain("not allowed by the operator");

    // A tool cached from it before (as an attacker would have) cannot start it from a run either.
    const tool = await db().tool.create({ data: { workspaceId: owner.workspaceId, kind: "mcp", name: "legacy_add", sourceId: legacy.id, ownerId: owner.userId, config: { toolName: "add" }, inputSchema: { type: "object" } } });
    const error = await callMcpTool(db(), tool, { a: 1, b: 2 }, { signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect((error as NodeError).message).toContain("not allowed by the operator");
    expect((error as NodeError).retryable).toBe(false);
    expect(markers()).toEqual([]);

    // Its owner can change it to an allowed server (not to another command); then it connects.
    const patch = (config: unknown) => detailRoute.PATCH(routeRequest("PATCH", `/api/tool-sources/mcp/${legacy.id}`, owner.cookie, { config }), routeParams(legacy.id));
    expect((await patch({ transport: "stdio", command: "/bin/sh", args: ["-c", "id"], env: {} })).status).toBe(400);
    expect((await patch({ transport: "stdio", serverId: "fixture", env: {} })).status).toBe(200);
    expect((await connect(legacy.id)).ok).toBe(true);
  });
});

describe("an operator-allowed stdio server", () => {
  it("the list route offers the operator's servers by id and label, without their commands", async () => {
    const list = (await (await listRoute.GET(routeRequest("GET", "/api/tool-sources/mcp", owner.cookie), undefined as never)).json()) as { stdio: McpStdioOptions };
    expect(list.stdio).toEqual({
      enabled: true,
      problem: null,
      servers: [
        { id: "fixture", label: "Test fixture (tools)", allowedEnv: ["MCP_FIXTURE_LOG", "FIXTURE_TOKEN"] },
        { id: "env-dump", label: "Test fixture (reports its environment)", allowedEnv: ["DUMP_TOKEN", "DUMP_PLAIN"] },
      ],
    });
    expect(JSON.stringify(list.stdio)).not.toContain(process.execPath);
  });

  it("starts with only its declared variables (secrets resolved), PATH and HOME, in a 0700 directory of its own", async () => {
    const created = await post({
      name: "Env dump",
      config: { transport: "stdio", serverId: "env-dump", env: { DUMP_TOKEN: { secret: "DUMP_SECRET" }, DUMP_PLAIN: "Bearer {{ secrets.DUMP_SECRET }}" } },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as McpSourceView;
    const result = await connect(id);
    expect(result.ok, result.message).toBe(true);

    const dir = path.join(env().WEFT_MCP_STDIO_DIR, id);
    const dump = JSON.parse(readFileSync(path.join(dir, "env.json"), "utf8")) as { pid: number; cwd: string; env: Record<string, string> };
    expect(existsSync(path.join(dir, `started-${dump.pid}`))).toBe(true);
    expect(dump.cwd).toBe(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(Object.keys(dump.env).sort()).toEqual(["DUMP_PLAIN", "DUMP_TOKEN", "HOME", "OPERATOR_FIXED", "PATH"]);
    expect(dump.env).toMatchObject({ DUMP_TOKEN: DUMP_SECRET, DUMP_PLAIN: `Bearer ${DUMP_SECRET}`, OPERATOR_FIXED: "set-by-operator", HOME: dir });
    // Nothing of this process's environment: neither the names nor the values.
    const text = JSON.stringify(dump);
    for (const name of ["WEFT_SECRET_KEYS", "BETTER_AUTH_SECRET", "DATABASE_URL", "REDIS_URL", "USER", "SHELL", "LOGNAME", "TERM"]) expect(dump.env).not.toHaveProperty(name);
    for (const value of [integrationEnv.WEFT_SECRET_KEYS, integrationEnv.BETTER_AUTH_SECRET, integrationEnv.DATABASE_URL]) expect(text).not.toContain(value);
    expect(markers()).toEqual([]);
  });
});

describe("with no stdio servers allowed (the default)", () => {
  const off = { stdio: { servers: [], problem: null } };
  const member = () => ({ userId: owner.userId, workspaceId: owner.workspaceId, email: "", name: "", workspaceName: "", role: "developer" as const });

  it("offers nothing and refuses a stdio source, while HTTP servers stay available", async () => {
    expect(getMcpStdioOptions(member(), off)).toEqual({ enabled: false, servers: [], problem: null });
    const refused = await createMcpSource(member(), { name: "Off", config: { transport: "stdio", serverId: "fixture", env: {} } }, off).catch((e: unknown) => e);
    expect((refused as Error).message).toContain("allows no stdio servers");
    const http = await createMcpSource(member(), { name: "Remote", config: { transport: "http", url: "https://mcp.example.com/mcp", headers: {} } }, off);
    expect(http.config).toMatchObject({ transport: "http" });
  });
});
