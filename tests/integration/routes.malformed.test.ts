import { beforeAll, describe, expect, it } from "vitest";
import { API_SCOPES } from "@/lib/api-keys/scopes";
import type { Graph } from "@/lib/engine/graph";
import { LIMITS } from "@/lib/engine/limits";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { db } from "@/lib/db/client";
import { databaseInputProblem } from "@/lib/db/input-errors";
import { createKey } from "./helpers/api-v1";
import { FILE_BODY_ROUTES, validishBody } from "./helpers/route-bodies";
import { discoverRoutes, invokeRoute, type RouteMethod } from "./helpers/route-tree";
import { signUpUser } from "./helpers/session";

/**
 * Hostile input sent to every route file under app/api (walked from the tree): broken path ids,
 * NUL and lone surrogates in every string of a plausible body, integers past PostgreSQL's
 * `integer`, deeply nested node data and very deep JSONata. Each must be a 400 with a message
 * that says what is wrong, never a 500.
 */

const ticketGraph = exampleWorkflows({ providerId: "unused", model: "unused" })[1].graph;
const inputs = { customer: "Ada", message: "refund please", priority: 1 };

/** What Next hands a route for `%00`, for a broken `%E0%A4%A` (left as it came), and a lone surrogate. */
const BAD_IDS = [
  { what: "%00 (NUL)", value: "\u0000" },
  { what: "broken percent-encoding %E0%A4%A", value: "%E0%A4%A" },
  { what: "a lone surrogate", value: "\uD800" },
  { what: "NUL after a real-looking id", value: "3f1c2d4e-0000-4000-8000-000000000000\u0000" },
];
const BAD_STRINGS = [
  { what: "\\u0000", inject: (s: string) => `${s}\u0000x`, message: /NUL/ },
  { what: "a lone surrogate \\uD800", inject: (s: string) => `${s}\uD800`, message: /surrogate/ },
];

/** Paths of every string leaf in a JSON value. */
function stringPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === "string") return [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringPaths(item, [...path, i]));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...path, k]));
  return [];
}

function replaceAt<T>(value: T, path: (string | number)[], next: (s: string) => string): T {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let cursor = copy;
  for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  cursor[last] = next(cursor[last] as string);
  return copy as T;
}

/** `{ a: { a: … { a: "deep" } } }`, `levels` objects deep. */
const nested = (levels: number): unknown => Array.from({ length: levels }).reduce<unknown>((inner) => ({ a: inner }), "deep");

let routes: RouteMethod[];
let ownerCookie: string;
let apiKey: string;
let workflowId: string;
/** Real ids where the route works on one, so a body reaches the service as it would in production. */
const realIds: Record<string, string> = {};

function send(route: RouteMethod, options: { id?: (name: string) => string; body?: unknown; rawBody?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = route.access?.kind === "apiKey" ? { authorization: `Bearer ${apiKey}` } : { cookie: ownerCookie };
  const valueOf = options.id ?? ((name: string) => realIds[`${route.pattern}:${name}`] ?? realIds[name] ?? "00000000-0000-4000-8000-000000000000");
  return invokeRoute(route, { valueOf, headers, body: options.rawBody ?? JSON.stringify(options.body ?? validishBody(route)) });
}

/** The response must be a 400 whose message says what is wrong; returns the failure text otherwise. */
async function expect400(route: RouteMethod, response: Response, what: string, message?: RegExp): Promise<string | null> {
  const error = ((await response.json().catch(() => ({}))) as { error?: { message?: string; issues?: { message: string }[] } }).error;
  const text = [error?.message, ...(error?.issues ?? []).map((i) => i.message)].join(" ");
  if (response.status === 400 && text.length > 10 && (!message || message.test(text))) return null;
  return `${route.label} with ${what}: ${response.status} ${text}`;
}

beforeAll(async () => {
  routes = (await discoverRoutes()).filter((r) => r.access?.kind !== "public");
  const owner = await signUpUser("Malformed Owner");
  ownerCookie = owner.cookie;
  const member = { userId: owner.userId, email: "", name: "Malformed Owner", workspaceId: owner.workspaceId, workspaceName: "", role: "owner" as const };
  apiKey = (await createKey(member, [...API_SCOPES])).secret;
  workflowId = (await db().workflow.create({ data: { workspaceId: owner.workspaceId, name: "Probe target", graph: ticketGraph as object } })).id;
  realIds.id = workflowId;
  const secret = await db().secret.create({ data: { workspaceId: owner.workspaceId, name: "PROBE_TARGET", cipher: "x", hint: "x" } });
  realIds["/api/secrets/[id]:id"] = secret.id;
});

describe("path ids", () => {
  it("every route with a dynamic segment answers 400 naming the segment for %00, broken percent-encoding and lone surrogates", async () => {
    const failures: string[] = [];
    const withIds = routes.filter((r) => r.params.length > 0);
    expect(withIds.length).toBeGreaterThan(20);
    for (const route of withIds) {
      for (const bad of BAD_IDS) {
        for (const param of route.params) {
          const response = await send(route, { id: (name) => (name === param.name ? bad.value : (realIds[name] ?? "00000000-0000-4000-8000-000000000000")) });
          const failure = await expect400(route, response, `${param.name} = ${bad.what}`, new RegExp(`path parameter ${param.name}`));
          if (failure) failures.push(failure);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("JSON bodies", () => {
  /** Routes that read a JSON body: the ones that refuse `{oops` (routes that ignore their body cannot store what is in it). */
  let bodyRoutes: RouteMethod[];
  const writes = () => bodyRoutes;

  beforeAll(async () => {
    bodyRoutes = [];
    for (const route of routes.filter((r) => r.method !== "GET" && r.method !== "DELETE" && !FILE_BODY_ROUTES.has(r.label))) {
      if ((await send(route, { rawBody: "{oops" })).status === 400) bodyRoutes.push(route);
    }
  });

  it("finds the routes that read a JSON body", () => {
    expect(bodyRoutes.length).toBeGreaterThan(25);
    expect(bodyRoutes.map((r) => r.label)).toContain("PUT /api/workflows/[id]/graph");
  });

  it("refuses NUL and lone surrogates in every string field of a plausible body, on every write route", async () => {
    const failures: string[] = [];
    for (const route of writes()) {
      const body = validishBody(route);
      for (const path of stringPaths(body)) {
        for (const bad of BAD_STRINGS) {
          const response = await send(route, { body: replaceAt(body, path, bad.inject) });
          const failure = await expect400(route, response, `${bad.what} at ${path.join(".")}`, bad.message);
          if (failure) failures.push(failure);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("refuses NUL in an object key and a lone surrogate sent as raw JSON escapes", async () => {
    const failures: string[] = [];
    for (const route of writes()) {
      const key = await send(route, { rawBody: JSON.stringify({ ...validishBody(route), ["k\u0000"]: 1 }) });
      const surrogate = await send(route, { rawBody: '{"name":"\\udc00 alone","text":"\\ud800"}' });
      for (const [what, response] of [["a NUL key", key], ["raw \\ud800 escapes", surrogate]] as const) {
        const failure = await expect400(route, response, what);
        if (failure) failures.push(failure);
      }
    }
    expect(failures).toEqual([]);
  });

  it(`refuses bodies nested deeper than ${LIMITS.maxRequestJsonDepth} levels (150-level node data) on every write route`, async () => {
    const failures: string[] = [];
    for (const route of writes()) {
      const response = await send(route, { body: { ...validishBody(route), data: nested(150) } });
      const failure = await expect400(route, response, "150-level nesting", /deeper than/);
      if (failure) failures.push(failure);
    }
    const graph = routes.find((r) => r.label === "PUT /api/workflows/[id]/graph")!;
    const deepNode: Graph = { ...ticketGraph, nodes: ticketGraph.nodes.map((n, i) => (i === 1 ? { ...n, data: { ...n.data, extra: nested(150) } } : n)) };
    const failure = await expect400(graph, await send(graph, { body: { revision: 0, graph: deepNode } }), "150-level node data", /deeper than/);
    if (failure) failures.push(failure);
    expect(failures).toEqual([]);
  });
});

describe("integers past PostgreSQL's integer", () => {
  const tooBig = 2 ** 31 + 1;

  it("revision 2^31+1 on the draft save is a 400", async () => {
    const graph = routes.find((r) => r.label === "PUT /api/workflows/[id]/graph")!;
    expect(await expect400(graph, await send(graph, { body: { revision: tooBig, graph: ticketGraph } }), "revision 2^31+1", /revision/)).toBeNull();
  });

  it("version 2^31+1 when starting a run through the API is a 400", async () => {
    const start = routes.find((r) => r.label === "POST /api/v1/workflows/[id]/runs")!;
    expect(await expect400(start, await send(start, { body: { inputs, version: tooBig } }), "version 2^31+1", /version/)).toBeNull();
  });

  it("a pinned version 2^31+1 in a workflow tool is a 400", async () => {
    const create = routes.find((r) => r.label === "POST /api/tools")!;
    const body = { kind: "workflow", name: "probe_workflow_tool", config: { workflowId, version: tooBig } };
    expect(await expect400(create, await send(create, { body }), "a workflow tool's version 2^31+1", /version/)).toBeNull();
  });
});

describe("the last resort: database errors caused by the input", () => {
  const rejection = (work: () => Promise<unknown>) => work().then(() => null, (error: unknown) => error);

  it("maps PostgreSQL's refusal of NUL text and out-of-range integers to a 400 message, and nothing else", async () => {
    const nul = await rejection(() => db().workflow.update({ where: { id: workflowId }, data: { name: "bad\u0000name" } }));
    expect(databaseInputProblem(nul)).toMatch(/cannot be stored/);
    const nulJson = await rejection(() => db().workflow.update({ where: { id: workflowId }, data: { graph: { s: "bad\u0000" } } }));
    expect(databaseInputProblem(nulJson)).toMatch(/cannot be stored/);
    const surrogate = await rejection(() => db().workflow.findFirst({ where: { id: "x\uD800" } }));
    expect(databaseInputProblem(surrogate)).toMatch(/cannot be stored/);
    const big = await rejection(() => db().workflow.update({ where: { id: workflowId }, data: { revision: 2 ** 31 + 1 } }));
    expect(databaseInputProblem(big)).toMatch(/outside the range/);
    const missing = await rejection(() => db().workflow.update({ where: { id: "no-such-workflow" }, data: { name: "x" } }));
    expect(missing).toBeInstanceOf(Error);
    expect(databaseInputProblem(missing)).toBeNull();
    expect(databaseInputProblem(new Error("value out of range"))).toBeNull();
  });
});

describe("very deep JSONata", () => {
  // 5,000 nested parentheses: a valid-looking expression whose parse recurses 5,000 levels.
  const deep = `${"(".repeat(5_000)}1${")".repeat(5_000)}`;
  const assignGraph: Graph = {
    version: 1,
    variables: [{ name: "x", type: "number", default: 0 }],
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
      { id: "set_x", type: "assign", position: { x: 200, y: 0 }, data: { assignments: [{ variable: "x", operation: "set", mode: "expression", value: deep }] } },
      { id: "end", type: "end", position: { x: 400, y: 0 }, data: { outputs: [{ name: "x", value: "{{ var.x }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "set_x" },
      { id: "e2", source: "set_x", target: "end" },
    ],
  } as Graph;

  it("saving, publishing and test-running a workflow with a 5,000-level expression is a 400 or a validation problem, never a 500", async () => {
    const id = (await db().workflow.create({ data: { workspaceId: (await db().workflow.findUniqueOrThrow({ where: { id: workflowId } })).workspaceId, name: "Deep JSONata", graph: {} } })).id;
    const at = (label: string) => routes.find((r) => r.label === label)!;
    const ids = () => id;
    const saved = await send(at("PUT /api/workflows/[id]/graph"), { id: ids, body: { revision: 0, graph: assignGraph } });
    expect([200, 400]).toContain(saved.status);
    for (const label of ["POST /api/workflows/[id]/publish", "POST /api/workflows/[id]/runs"]) {
      const response = await send(at(label), { id: ids, body: label.endsWith("runs") ? { inputs: {} } : {} });
      expect(response.status, label).not.toBe(500);
      // The workflow saved, so publish and run must refuse it with the problem list (invalid_graph), not accept it.
      if (saved.status === 200) {
        expect(response.status, label).toBe(400);
        expect(JSON.stringify(await response.json()), label).toMatch(/set_x/);
      }
    }
  });
});
