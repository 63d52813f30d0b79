import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as internalEventsRoute from "@/app/api/runs/[id]/events/route";
import { waitForRunEnd, watchRunEnd } from "@/lib/api/wait";
import type { Member } from "@/lib/auth/member";
import { WeftClient } from "@/lib/client/weft-client";
import { db } from "@/lib/db/client";
import { GraphSchema } from "@/lib/engine/graph";
import type { RunEvent } from "@/lib/engine/run-ports";
import { cancelRun } from "@/lib/runs/cancel";
import { runEventHub } from "@/lib/runs/event-hub";
import { followRun, subscribeBeforeCreate } from "@/lib/runs/follow";
import { createAndEnqueueRun } from "@/lib/runs/service";
import { createWorkflow } from "@/lib/workflows/service";
import { publishWorkflow } from "@/lib/workflows/versions";
import { benchWorkflows } from "../../bench/lib/workflows";
import { clientFor, createKey } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";
import { waitForRun } from "./helpers/runs";
import { readEvents, routeParams, routeRequest, signUpUser } from "./helpers/session";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * The process-wide run event hub (lib/runs/event-hub.ts): every sync request, SSE stream and
 * waiter of this process shares one Redis subscriber connection, and a lost event falls back to
 * a status read after a silence instead of hanging.
 */
const graph = GraphSchema.parse(benchWorkflows.template.graph);
let member: Member;
let workflowId: string;
let client: WeftClient;
let worker: WorkerProcess | undefined;
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");

beforeAll(async () => {
  member = await createTestMember("developer");
  workflowId = (await createWorkflow(member, { name: "hub", graph })).id;
  await publishWorkflow(member, workflowId);
  client = clientFor((await createKey(member)).secret);
});

afterAll(async () => {
  await worker?.stop();
  redis.disconnect();
});

/** SUBSCRIBE and UNSUBSCRIBE commands the Redis server has served so far (INFO commandstats). */
async function subscribeCommands(): Promise<number> {
  const stats = (await redis.call("INFO", "commandstats")) as string;
  const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  return calls("subscribe") + calls("unsubscribe");
}

/** CLIENT LIST entries carrying the hub's connection name, with their channel counts. */
async function hubClients(): Promise<{ sub: number }[]> {
  const list = (await redis.call("CLIENT", "LIST")) as string;
  return list
    .split("\n")
    .filter((line) => line.includes(` name=${runEventHub().connectionName} `))
    .map((line) => ({ sub: Number(/ sub=(\d+)/.exec(line)?.[1] ?? 0) }));
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A queued run that no worker will take until one starts (or that the test finishes itself). */
const queuedRun = async (n: number) => (await createAndEnqueueRun(member, { workflowId, workflowName: "hub", graph, inputs: { n }, origin: { trigger: "editor" } })).runId;

describe("one subscriber per process", () => {
  it("20 concurrent sync requests wait on one Redis connection and one channel, and each gets its own run's result", async () => {
    const inputs = Array.from({ length: 20 }, (_, i) => i * 5);
    const commandsBefore = await subscribeCommands();
    // No worker yet: every request is waiting for its run's end at the same time.
    const pending = inputs.map((n) => client.runSync(workflowId, { inputs: { n }, timeoutMs: 30_000 }));
    await until(() => runEventHub().stats().watchers >= 20);
    // Only the channel of runs' ends: a sync request subscribes to nothing of its own.
    expect(runEventHub().stats()).toMatchObject({ connections: 1, channels: 1, watchers: 20 });
    const clients = await hubClients();
    expect(clients).toHaveLength(1);
    expect(clients[0]!.sub).toBe(1);

    worker = await startWorkerProcess();
    const results = await Promise.all(pending);
    results.forEach((result, i) => {
      expect(result).toMatchObject({ status: "succeeded", output: { summary: `item ${inputs[i]} (${inputs[i]! > 50 ? "case_1" : "else"})` } });
    });
    // Everyone left; the connection and the ends channel stay for the next request, and no request sent SUBSCRIBE or UNSUBSCRIBE.
    expect(runEventHub().stats()).toMatchObject({ connections: 1, channels: 1, watchers: 0 });
    expect((await hubClients())[0]?.sub).toBe(1);
    // At most two: this process joining the ends channel, and the worker's own control channel.
    expect((await subscribeCommands()) - commandsBefore).toBeLessThanOrEqual(2);
  });

  it("a run that finished before the waiter subscribed is returned at once", async () => {
    const runId = await queuedRun(7);
    await waitForRun(runId);
    const started = Date.now();
    const view = await waitForRunEnd(member.workspaceId, runId, 20_000);
    expect(view).toMatchObject({ id: runId, status: "succeeded", output: { summary: "item 7 (else)" } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("the public and the internal SSE routes watch through the hub", async () => {
    await worker?.stop();
    worker = undefined;
    const runId = await queuedRun(60);
    // The studio route serves the signed-in user's own workspace: a run there.
    const session = await signUpUser("Hub Watcher");
    const owner = { userId: session.userId, email: "", name: "", workspaceId: session.workspaceId, workspaceName: "", role: "owner" as const };
    const ownWorkflow = (await createWorkflow(owner, { name: "hub", graph })).id;
    const ownRun = (await createAndEnqueueRun(owner, { workflowId: ownWorkflow, workflowName: "hub", graph, inputs: { n: 3 }, origin: { trigger: "editor" } })).runId;
    const internal = await internalEventsRoute.GET(routeRequest("GET", `/api/runs/${ownRun}/events`, session.cookie), routeParams(ownRun));
    expect(internal.status).toBe(200);
    const publicEvents = client.streamRunEvents(runId)[Symbol.asyncIterator]();
    expect((await publicEvents.next()).value).toMatchObject({ type: "snapshot", run: { status: "queued" } });
    await until(() => runEventHub().stats().watchers >= 2);
    // Each stream on its run's channel, besides the ends channel the sync requests above joined.
    expect(runEventHub().stats()).toMatchObject({ connections: 1, channels: 3, watchers: 2 });
    expect(await hubClients()).toEqual([{ sub: 3 }]);

    worker = await startWorkerProcess();
    const seen = await readEvents(internal, (e) => e.event === "run" && (e.data as { status: string }).status === "succeeded");
    expect(seen.at(-1)).toMatchObject({ event: "run", data: { status: "succeeded", output: { summary: "item 3 (else)" } } });
    let last: unknown;
    for (let next = await publicEvents.next(); !next.done; next = await publicEvents.next()) last = next.value;
    expect(last).toMatchObject({ type: "run", status: "succeeded", output: { summary: "item 60 (case_1)" } });
    await until(() => runEventHub().stats().watchers === 0);
  });
});

describe("a follower subscribed before its run exists", () => {
  it("reads no snapshot and misses nothing the run published before it attached", async () => {
    worker ??= await startWorkerProcess();
    const runId = randomUUID();
    const early = await subscribeBeforeCreate(runId);
    await createAndEnqueueRun(member, { id: runId, workflowId, workflowName: "hub", graph, inputs: { n: 80 }, origin: { trigger: "editor" } });
    // The whole run happens before the follower attaches: every event waits in the subscription.
    await waitForRun(runId);
    let loads = 0;
    const snapshots: unknown[] = [];
    const events: RunEvent[] = [];
    const stop = await followRun<{ status: string }>(
      runId,
      {
        load: async () => {
          loads++;
          return null;
        },
        steps: () => [],
        onSnapshot: (snapshot) => snapshots.push(snapshot),
        onEvent: (event) => events.push(event),
      },
      { early: { subscription: early, snapshot: { status: "queued" } } },
    );
    expect(loads).toBe(0);
    expect(snapshots).toEqual([{ status: "queued" }]);
    expect(events.filter((e) => e.type === "step" && e.status === "succeeded").map((e) => (e as { nodeId: string }).nodeId)).toEqual(expect.arrayContaining(graph.nodes.map((n) => n.id)));
    expect(events.at(-1)).toMatchObject({ type: "run", status: "succeeded", output: { summary: "item 80 (case_1)" } });
    await stop();
    await until(() => runEventHub().stats().watchers === 0);
  });
});

describe("waiting for a run's end", () => {
  it("a run still going after the silence is followed on its own channel too, so its events (not reads) keep the waiter sure", async () => {
    await worker?.stop();
    worker = undefined;
    const runId = await queuedRun(3);
    const reads: string[] = [];
    const readStatus = async (id: string) => {
      reads.push(id);
      return (await db().run.findUniqueOrThrow({ where: { id }, select: { status: true } })).status;
    };
    const watch = await watchRunEnd(runId, { silenceMs: 300, readStatus });
    const ended = watch.ended(30_000);
    // One read after the first silence finds it queued; the waiter then joins the run's channel.
    await until(() => runEventHub().stats().channels === 2);
    expect(reads).toHaveLength(1);
    worker = await startWorkerProcess();
    expect(await ended).toBe(true);
    watch.close();
    // The run's channel is left with the last watcher; the ends channel stays.
    await until(() => runEventHub().stats().channels === 1);
    expect(await waitForRunEnd(member.workspaceId, runId, 1_000)).toMatchObject({ status: "succeeded", output: { summary: "item 3 (else)" } });
  });

  it("the worker's end message wakes the waiter: no status is read", async () => {
    worker ??= await startWorkerProcess();
    const runId = randomUUID();
    const reads: string[] = [];
    const watch = await watchRunEnd(runId, { silenceMs: 60_000, readStatus: async (id) => (reads.push(id), null) });
    await createAndEnqueueRun(member, { id: runId, workflowId, workflowName: "hub", graph, inputs: { n: 5 }, origin: { trigger: "editor" } });
    expect(await watch.ended(30_000)).toBe(true);
    watch.close();
    expect(reads).toEqual([]);
    expect((await db().run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } })).status).toBe("succeeded");
  });

  it("a cancelled run wakes its sync waiter through the ends channel at once", async () => {
    await worker?.stop();
    worker = undefined;
    const runId = await queuedRun(4);
    // A silence far longer than the test: only the cancel's end message can wake it in time.
    const watch = await watchRunEnd(runId, { silenceMs: 60_000 });
    const started = Date.now();
    const ended = watch.ended(30_000);
    await cancelRun(member, runId);
    expect(await ended).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    watch.close();
  });
});

describe("a lost event", () => {
  /** Ends a run in PostgreSQL without publishing anything: what a lost terminal message looks like. */
  const endSilently = (runId: string) =>
    db().run.update({ where: { id: runId }, data: { status: "succeeded", output: { summary: "ended unheard" }, finishedAt: new Date() } });

  it("a sync waiter falls back to reading the status after a silence and returns the finished run", async () => {
    await worker?.stop();
    worker = undefined;
    const runId = await queuedRun(1);
    const watch = await watchRunEnd(runId, { silenceMs: 300 });
    // Prisma queries are lazy: `then` sends it.
    setTimeout(() => void endSilently(runId).then(() => undefined), 200);
    const view = await waitForRunEnd(member.workspaceId, runId, 20_000, undefined, watch);
    expect(view).toMatchObject({ status: "succeeded", output: { summary: "ended unheard" } });
  });

  it("an SSE follower gets the final snapshot from PostgreSQL after a silence", async () => {
    const runId = await queuedRun(2);
    const snapshots: { status: string }[] = [];
    const stop = await followRun<{ status: string }>(
      runId,
      {
        load: async () => db().run.findUnique({ where: { id: runId }, select: { status: true } }),
        steps: () => [],
        onSnapshot: (snapshot) => snapshots.push(snapshot!),
        onEvent: () => undefined,
      },
      { silenceMs: 300 },
    );
    expect(snapshots).toEqual([{ status: "queued" }]);
    await endSilently(runId);
    await until(() => snapshots.length === 2);
    expect(snapshots[1]).toEqual({ status: "succeeded" });
    await stop();
  });
});
