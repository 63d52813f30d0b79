/**
 * Compiles the run worker (workers/run-worker.ts) into plain JavaScript with esbuild:
 * dist/worker/run-worker.mjs, chunks for what it imports lazily (model SDKs, tokenizer ranks,
 * Prisma's query compiler) and source maps. `npm run worker` runs it with bare `node`, so the
 * worker pays for no TypeScript loader at start-up (issue #9, point 3).
 *
 *   node --import tsx scripts/build-worker.ts
 */
import { build, type Plugin } from "esbuild";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { trimSourceMap } from "./lib/trim-source-map";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const outdir = path.join(root, "dist/worker");

/**
 * Native addons and optional native speed-ups stay in node_modules (a .node file cannot be
 * bundled); `node` finds them from dist/worker because it lies inside the project.
 */
const external = ["isolated-vm", "pg-native", "msgpackr-extract"];

/** Bundled CommonJS packages call `require` for Node built-ins; ESM output has none of its own. */
const banner = "import { createRequire as __weftCreateRequire } from 'node:module'; const require = __weftCreateRequire(import.meta.url);";

/**
 * Files a module opens at run time by `new URL("./file", import.meta.url)` (the sandbox's
 * child.mjs, started as its own process) are not imports, so esbuild would leave them behind.
 * Each one found is built next to the bundle at the same relative path, so the URL still resolves.
 */
function runtimeFiles(found: Set<string>): Plugin {
  const pattern = /new URL\(\s*["'`](\.{1,2}\/[^"'`]+)["'`]\s*,\s*import\.meta\.url\s*\)/g;
  return {
    name: "runtime-files",
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\.(ts|mts|js|mjs)$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const text = await readFile(args.path, "utf8");
        for (const match of text.matchAll(pattern)) found.add(path.relative(root, path.resolve(path.dirname(args.path), match[1]!)) + "|" + match[1]);
        return undefined;
      });
    },
  };
}

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  sourcesContent: false,
  alias: { "@": root },
  banner: { js: banner },
  // Less source text for V8 to hold (about 6 MiB less heap at idle); names stay, and the source map points at the TypeScript.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
} as const;

const started = performance.now();
const found = new Set<string>();
const result = await build({
  ...common,
  entryPoints: { "run-worker": "workers/run-worker.ts" },
  outdir,
  outExtension: { ".js": ".mjs" },
  // Dynamic import() stays lazy: a chunk is read only when a run first needs it.
  splitting: true,
  external,
  plugins: [runtimeFiles(found)],
  metafile: true,
});

// Runtime files run as their own processes: bundled on their own, with every package left in node_modules.
for (const entry of found) {
  const [source, relative] = entry.split("|") as [string, string];
  const target = path.resolve(outdir, relative);
  if (!target.startsWith(path.dirname(outdir))) throw new Error(`${source}: a runtime file outside dist/ (${relative})`);
  await build({ ...common, entryPoints: [source], outfile: target, packages: "external", banner: {} });
}

// Source maps for our own code only (scripts/lib/trim-source-map.ts says why).
const maps = Object.keys(result.metafile.outputs).filter((file) => file.endsWith(".map"));
for (const file of maps) {
  const map = JSON.parse(await readFile(path.join(root, file), "utf8"));
  const trimmed = trimSourceMap(map, (source) => !source.includes("node_modules/"));
  await writeFile(path.join(root, file), JSON.stringify(trimmed));
}

// Files of earlier builds go last, not first: a worker already running keeps its lazy chunks while this build runs.
const written = new Set([...Object.keys(result.metafile.outputs).map((file) => path.join(root, file)), ...[...found].flatMap((entry) => {
  const target = path.resolve(outdir, entry.split("|")[1]!);
  return [target, `${target}.map`];
})]);
for (const name of await readdir(outdir)) if (!written.has(path.join(outdir, name))) await rm(path.join(outdir, name), { recursive: true, force: true });

const files = written.size;
console.log(`[build:worker] ${path.relative(root, outdir)}: ${files} files (${found.size} runtime files) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
