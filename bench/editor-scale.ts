/**
 * Benchmark: the workflow editor on large graphs, in Chromium (Debian's, as the e2e tests use).
 * Starts the web process (`npm start`) on a built app (or attaches to a running one with --attach), signs up
 * through the HTTP API, imports graphs of each size (bench/lib/large-graph.ts) through
 * POST /api/workflows/import, then for each one measures in the browser:
 *   - open: navigation start → editor interactive with the visible nodes rendered and measured
 *   - pan fps / drag fps: frames per second while the pane is panned, and while a node is dragged
 *   - click → panel: pointer down on a node → its inspector panel in the page
 *   - heap: JS heap used after a forced GC (CDP HeapProfiler.collectGarbage)
 *   - autosave: "saving" → "saved" after a move (the PATCH or PUT round trip), and its body size
 * and prints a table. Numbers only; no pass/fail (targets are in issue 13 and the README).
 *
 *   npm run build   (once)
 *   node --import tsx bench/editor-scale.ts --sizes 100,500,1000,2000
 *
 * Uses its own database (BENCH_DATABASE_URL, default weft_bench_editor, reset at start), Redis
 * prefix (weft-bench-editor) and port (3320). No worker is needed: nothing runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { ensureDatabase } from "../scripts/lib/database";
import { createClient, waitForServer, type HttpClient } from "./lib/http";
import { largeGraph } from "./lib/large-graph";
import { benchEnvironment } from "./lib/env";
import { webArgs } from "../scripts/lib/web-command";

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
const SIZES = arg("sizes", "100,500,1000,2000").split(",").map(Number);
const PORT = Number(arg("port", "3320"));
const ATTACH = arg("attach", "");
const BASE = ATTACH || `http://127.0.0.1:${PORT}`;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

const benchEnv = benchEnvironment("editor", BASE, { WEFT_SIGNUP: "open", NEXT_TELEMETRY_DISABLED: "1" });

function startWeb(): ChildProcess | null {
  if (ATTACH) return null;
  if (!fs.existsSync(path.join(root, ".next/BUILD_ID"))) {
    console.error("No production build in .next. Build once with `npm run build`, then run this again.");
    process.exit(2);
  }
  return spawn(process.execPath, webArgs(PORT), {
    cwd: root,
    env: { ...process.env, ...benchEnv },
    stdio: ["ignore", "ignore", process.env.BENCH_VERBOSE ? "inherit" : "ignore"],
  });
}

/** Sign-up and sign-in through the API; returns the session cookie. */
async function signIn(client: HttpClient): Promise<{ cookie: string; origin: string }> {
  const origin = new URL(BASE).origin;
  const email = `bench-editor-${Date.now()}@example.test`;
  const body = { email, password: "correct-horse-1", name: "Bench" };
  const signUp = await client.request("POST", "/api/auth/sign-up/email", body, { origin });
  if (signUp.status !== 200) throw new Error(`sign-up: ${signUp.status} ${signUp.body}`);
  const signedIn = await client.request("POST", "/api/auth/sign-in/email", { email, password: body.password }, { origin });
  if (signedIn.status !== 200) throw new Error(`sign-in: ${signedIn.status} ${signedIn.body}`);
  return { cookie: (signedIn.headers["set-cookie"] ?? []).map((line) => line.split(";")[0]).join("; "), origin };
}

async function importGraph(client: HttpClient, auth: { cookie: string; origin: string }, size: number): Promise<string> {
  const file = { format: "weft.workflow", version: 1, name: `Scale ${size}`, graph: largeGraph(size) };
  const response = await client.request("POST", "/api/workflows/import", { file }, auth);
  if (response.status !== 201) throw new Error(`import ${size}: ${response.status} ${response.body.slice(0, 300)}`);
  return (JSON.parse(response.body) as { id: string }).id;
}

/** Counts animation frames in the page while `during` runs; frames per second. */
async function fpsWhile(page: Page, during: () => Promise<void>): Promise<number> {
  // A string, not a function: tsx wraps named inner functions in a `__name` helper the page lacks.
  await page.evaluate(`(() => {
    window.__frames = 0;
    window.__counting = true;
    const tick = () => {
      if (!window.__counting) return;
      window.__frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const started = Date.now();
  await during();
  const seconds = (Date.now() - started) / 1000;
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number; __counting: boolean };
    w.__counting = false;
    return w.__frames;
  });
  return frames / seconds;
}

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, steps: number) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) await page.mouse.move(from.x + ((to.x - from.x) * i) / steps, from.y + ((to.y - from.y) * i) / steps);
  await page.mouse.up();
}

/** Navigation start → editor with its visible nodes rendered and measured (React Flow hides unmeasured ones), then one idle frame. */
async function openTime(page: Page, id: string): Promise<number> {
  await page.goto(`${BASE}/workflows/${id}`, { waitUntil: "commit" });
  await page.waitForFunction(
    () => {
      const nodes = [...document.querySelectorAll<HTMLElement>(".react-flow__node")];
      return nodes.length > 0 && nodes.every((n) => n.style.visibility !== "hidden") && document.querySelector('[data-testid="save-status"]') !== null;
    },
    undefined,
    { timeout: 180_000, polling: "raf" },
  );
  return page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0))));
}

/** The `nth` template node lying wholly inside the canvas (after a pan, the first ones may not be). */
async function templateNodeInView(page: Page, nth: number) {
  const canvas = (await page.getByTestId("canvas").boundingBox())!;
  const nodes = page.locator(".react-flow__node").filter({ has: page.locator('[data-node-type="template"]') });
  const count = Math.min(await nodes.count(), 200);
  let seen = 0;
  for (let i = 0; i < count; i++) {
    const box = await nodes.nth(i).boundingBox();
    if (!box || box.x < canvas.x || box.y < canvas.y || box.x + box.width > canvas.x + canvas.width || box.y + box.height > canvas.y + canvas.height) continue;
    if (seen++ === nth) return nodes.nth(i);
  }
  throw new Error(`fewer than ${nth + 1} template nodes in view`);
}

/** Pointer down on a node → the inspector shows it (measured in the page). */
async function clickToPanel(page: Page): Promise<number> {
  const node = await templateNodeInView(page, 1);
  const nodeId = (await node.getAttribute("data-id"))!;
  await page.evaluate((id) => {
    const w = window as unknown as { __down: number; __panel: Promise<number> };
    w.__panel = new Promise<number>((resolve) => {
      const check = () => {
        if (document.querySelector(`[data-testid="inspector"][data-node-id="${id}"]`)) resolve(performance.now());
        else requestAnimationFrame(check);
      };
      document.addEventListener("pointerdown", () => ((w.__down = performance.now()), requestAnimationFrame(check)), { capture: true, once: true });
    });
  }, nodeId);
  await node.locator(`[data-testid="node-${nodeId}"] span`).first().click();
  return page.evaluate(async () => {
    const w = window as unknown as { __down: number; __panel: Promise<number> };
    return (await w.__panel) - w.__down;
  });
}

/** Moves a node and times the save it causes: status "saving" → "saved"; with the request's body size. */
async function autosave(page: Page): Promise<{ ms: number; bytes: number; method: string }> {
  const node = await templateNodeInView(page, 2);
  const box = (await node.boundingBox())!;
  const request = page.waitForRequest((r) => r.url().includes("/graph") && (r.method() === "PATCH" || r.method() === "PUT"), { timeout: 30_000 });
  const timing = page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let saving = 0;
        const status = document.querySelector('[data-testid="save-status"]')!;
        new MutationObserver(() => {
          const now = status.getAttribute("data-status");
          if (now === "saving" && !saving) saving = performance.now();
          if (now === "saved" && saving) resolve(performance.now() - saving);
        }).observe(status, { attributes: true, attributeFilter: ["data-status"] });
      }),
  );
  timing.catch(() => undefined); // awaited below; a failed drag must not leave it unhandled
  // The node's centre: at the zoom that fits a large graph, a node is only a few dozen pixels wide.
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await drag(page, centre, { x: centre.x + 100, y: centre.y + 60 }, 10);
  const sent = await request;
  return { ms: await timing, bytes: Buffer.byteLength(sent.postData() ?? ""), method: sent.method() };
}

interface Row {
  nodes: number;
  openMs: number;
  panFps: number;
  dragFps: number;
  clickMs: number;
  heapMiB: number;
  saveMs: number;
  saveBody: string;
}

async function measure(page: Page, id: string, size: number): Promise<Row> {
  const openMs = await openTime(page, id);
  const box = (await page.getByTestId("canvas").boundingBox())!;
  const panFps = await fpsWhile(page, () => drag(page, { x: box.x + box.width - 60, y: box.y + box.height / 2 }, { x: box.x + 60, y: box.y + box.height / 2 - 150 }, 60));
  const clickMs = await clickToPanel(page);
  const target = await templateNodeInView(page, 3);
  const nodeBox = (await target.boundingBox())!;
  const dragFps = await fpsWhile(page, () => drag(page, { x: nodeBox.x + nodeBox.width / 2, y: nodeBox.y + nodeBox.height / 2 }, { x: nodeBox.x + 300, y: nodeBox.y + 200 }, 60));
  await page.getByTestId("save-status").and(page.locator('[data-status="saved"]')).waitFor({ timeout: 60_000 });
  const save = await autosave(page);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  const heap = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number };
  await cdp.detach();
  const kib = (save.bytes / 1024).toFixed(1);
  return { nodes: size, openMs, panFps, dragFps, clickMs, heapMiB: heap.usedSize / 1024 / 1024, saveMs: save.ms, saveBody: `${save.method} ${kib} KiB` };
}

function printTable(rows: Row[]) {
  const header = ["nodes", "open (ms)", "pan fps", "drag fps", "click→panel (ms)", "heap after GC (MiB)", "autosave (ms)", "autosave body"];
  const lines = rows.map((r) => [r.nodes, r.openMs.toFixed(0), r.panFps.toFixed(1), r.dragFps.toFixed(1), r.clickMs.toFixed(0), r.heapMiB.toFixed(1), r.saveMs.toFixed(0), r.saveBody].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(" | ")} |`;
  console.log(row(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const l of lines) console.log(row(l));
}

async function main() {
  if (!ATTACH) await ensureDatabase(benchEnv.DATABASE_URL, { reset: true, quiet: true });
  const web = startWeb();
  const client = createClient(BASE, 4);
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--js-flags=--expose-gc"],
  });
  try {
    await waitForServer(client, "/sign-in", 120_000);
    const auth = await signIn(client);
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    // tsx compiles named inner functions of page.evaluate callbacks to `__name(fn, "name")` calls.
    await context.addInitScript("globalThis.__name = (fn) => fn");
    await context.addCookies(auth.cookie.split("; ").map((pair) => {
      const [name, ...value] = pair.split("=");
      return { name: name!, value: value.join("="), url: BASE };
    }));
    const rows: Row[] = [];
    for (const size of SIZES) {
      const id = await importGraph(client, auth, size);
      const page = await context.newPage();
      page.on("pageerror", (error) => console.error(`[editor-scale] page error: ${error.message}`));
      rows.push(await measure(page, id, size));
      await page.close();
      console.error(`[editor-scale] ${size} nodes measured`);
    }
    printTable(rows);
  } finally {
    // The web app first: a rejection surfacing while the browser closes must not leave it running.
    web?.kill("SIGTERM");
    await browser.close();
    client.close();
  }
}

await main();
