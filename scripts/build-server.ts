/**
 * Compiles the web process's entry (server/web.ts: Next.js plus the public API served directly)
 * into dist/web/server.mjs with esbuild. Every package stays in node_modules (Next above all: the
 * server must load the very `next` the build was made with); only our own modules are bundled.
 *
 *   node --import tsx scripts/build-server.ts
 */
import { build } from "esbuild";
import path from "node:path";
import { nodeBundleOptions } from "./lib/esbuild-node";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const started = performance.now();
await build({
  ...nodeBundleOptions(root),
  entryPoints: ["server/web.ts"],
  outfile: "dist/web/server.mjs",
  packages: "external",
});
console.log(`[build:server] dist/web/server.mjs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
