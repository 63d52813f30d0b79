import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { WEB_SERVER, webArgs } from "../../scripts/lib/web-command";
import { WORKER_BUNDLE, workerArgs } from "../../scripts/lib/worker-command";
import type { HttpClient } from "./http";

/**
 * What the HTTP benchmarks share: the built app (`npm start`: dist/web/server.mjs) and compiled workers started as
 * child processes with a benchmark environment, a signed-in member with a published workflow, and
 * a clean Redis prefix.
 */
export const benchRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

export function spawnLogged(args: string[], env: Record<string, string>, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { cwd: benchRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(" ")} did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => {
      onData(chunk);
      if (process.env.BENCH_VERBOSE) process.stderr.write(chunk);
    });
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}:\n${output}`)));
  });
}

/** The web process on the production build, as `npm start` runs it (exits with advice when there is none). */
export function startWeb(port: number, env: Record<string, string>): ChildProcess {
  if (!fs.existsSync(path.join(benchRoot, ".next/BUILD_ID")) || !fs.existsSync(path.join(benchRoot, WEB_SERVER))) {
    console.error("No production build in .next. Build once with `npm run build` (about a few minutes on 2 cores), then run this again.");
    process.exit(2);
  }
  if (!fs.existsSync(path.join(benchRoot, WORKER_BUNDLE))) {
    console.error("No worker bundle in dist/worker. Build it with `npm run build:worker`, then run this again.");
    process.exit(2);
  }
  // BENCH_WEB_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the web process.
  const nodeArgs = (process.env.BENCH_WEB_NODE_ARGS ?? "").split(" ").filter(Boolean);
  // BENCH_WEB=next serves everything through `next start` (no direct public API path, server/web.ts), to compare the two.
  const args = process.env.BENCH_WEB === "next" ? [...nodeArgs, "node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"] : webArgs(port, "127.0.0.1", nodeArgs);
  return spawn(process.execPath, args, {
    cwd: benchRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", process.env.BENCH_VERBOSE ? "inherit" : "ignore"],
  });
}

/** One compiled worker, as `npm run worker` runs it. BENCH_WORKER_NODE_ARGS="--cpu-prof …" profiles it. */
export function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  return spawnLogged(workerArgs(nodeArgs), { ...env, LOG_LEVEL: "info" }, "worker started");
}

export async function clearRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  let cursor = "0";
  do {
    const [nextCursor, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = nextCursor;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
  redis.disconnect();
}

export interface BenchSession {
  /** Headers of the signed-in developer (Origin + session cookie) for internal routes. */
  cookie: Record<string, string>;
  workflowId: string;
}

/** Sign-up, sign-in, a workflow created from `graph` and published, all through the app's HTTP API. */
export async function signUpAndPublish(client: HttpClient, base: string, name: string, graph: unknown): Promise<BenchSession> {
  const origin = { origin: new URL(base).origin };
  const email = `bench-${Date.now()}@example.test`;
  const signUp = await client.request("POST", "/api/auth/sign-up/email", { email, password: "correct-horse-1", name: "Bench" }, origin);
  if (signUp.status !== 200) throw new Error(`sign-up: ${signUp.status} ${signUp.body}`);
  const signIn = await client.request("POST", "/api/auth/sign-in/email", { email, password: "correct-horse-1" }, origin);
  if (signIn.status !== 200) throw new Error(`sign-in: ${signIn.status} ${signIn.body}`);
  const setCookie = signIn.headers["set-cookie"] ?? [];
  const cookie = { ...origin, cookie: setCookie.map((line) => line.split(";")[0]).join("; ") };
  const created = await client.request("POST", "/api/workflows", { name, graph }, cookie);
  if (created.status !== 201) throw new Error(`create workflow: ${created.status} ${created.body}`);
  const workflowId = (JSON.parse(created.body) as { id: string }).id;
  const published = await client.request("POST", `/api/workflows/${workflowId}/publish`, {}, cookie);
  if (published.status !== 201) throw new Error(`publish: ${published.status} ${published.body}`);
  return { cookie, workflowId };
}

/** The web app (unless attaching to a running one) and `workers` worker processes; `stopAll` ends them (also on Ctrl-C). */
export async function startStack(options: { attach: string; port: number; workers: number; env: Record<string, string> }) {
  const web = options.attach ? null : startWeb(options.port, options.env);
  const workers = await Promise.all(Array.from({ length: options.workers }, () => startWorker(options.env)));
  const stopAll = () => {
    for (const w of workers) w.kill("SIGTERM");
    web?.kill("SIGTERM");
  };
  process.on("SIGINT", () => {
    stopAll();
    process.exit(130);
  });
  return { web, workers, stopAll };
}
