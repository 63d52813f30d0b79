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
import { nodeBundleOptions } from "./lib/esbuild-node";
import { trimSourceMap } from "./lib/trim-source-map";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const outdir = path.join(root, "dist/worker");

/**
 * Native addons and optional native speed-ups stay in node_modules (a .node file cannot be
 * bundled); `node` finds them from dist/worker because it lies inside the project. pdfjs-dist
 * stays there too: it loads its worker module (pdf.worker.mjs) from its own folder at run time.
 */
const external = ["isolated-vm", "pg-native", "msgpackr-extract", "pdfjs-dist"];

/** Bundled CommonJS packages call `require` for Node built-ins; ESM output has none of its own. */
const banner = "import { createRequire as __weftCreateRequire } from 'node:module'; const require = __weftCreateRequire(import.meta.url);";

/** A file some module opens at run time, and where the build puts it. */
interface RuntimeFile {
  source: string;
  target: string;
}

/**
 * Files a module opens at run time by `new URL("./file", import.meta.url)` (the sandbox's
 * child.mjs, started as its own process) are not imports, so esbuild would leave them behind.
 * Each one found is built at the same relative path from the output that holds the module (`outputDir`),
 * so the URL still resolves.
 */
function runtimeFiles(found: Map<string, RuntimeFile>, outputDir: string): Plugin {
  const pattern = /new URL\(\s*["'`](\.{1,2}\/[^"'`]+)["'`]\s*,\s*import\.meta\.url\s*\)/g;
  return {
    name: "runtime-files",
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\.(ts|mts|js|mjs)$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const text = await readFile(args.path, "utf8");
        for (const match of text.matchAll(pattern)) {
          const source = path.resolve(path.dirname(args.path), match[1]!);
          const target = path.resolve(outputDir, match[1]!);
          if (!target.startsWith(path.dirname(outdir) + path.sep)) throw new Error(`${args.path}: a runtime file outside dist/ (${match[1]})`);
          found.set(target, { source, target });
        }
        return undefined;
      });
    },
  };
}

const common = {
  ...nodeBundleOptions(root),
  banner: { js: banner },
  // Less source text for V8 to hold (about 6 MiB less heap at idle); names stay, and the source map points at the TypeScript.
  minifyWhitespace: true,
  minifySyntax: true,
} as const;

const started = performance.now();
const found = new Map<string, RuntimeFile>();
const result = await build({
  ...common,
  entryPoints: { "run-worker": "workers/run-worker.ts" },
  outdir,
  outExtension: { ".js": ".mjs" },
  // Dynamic import() stays lazy: a chunk is read only when a run first needs it.
  splitting: true,
  external,
  plugins: [runtimeFiles(found, outdir)],
  metafile: true,
});
const written = new Set(Object.keys(result.metafile.outputs).map((file) => path.join(root, file)));

// Source maps for our own code only (scripts/lib/trim-source-map.ts says why).
for (const file of [...written].filter((name) => name.endsWith(".map"))) {
  const map = JSON.parse(await readFile(file, "utf8"));
  await writeFile(file, JSON.stringify(trimSourceMap(map, (source) => !source.includes("node_modules/"))));
}

// Runtime files run as their own processes: each bundled alone, every package left in node_modules,
// and not minified (child.mjs is the sandbox's trusted side: what runs is what was reviewed).
// A file found while building one is built too (the loop sees entries added during it).
for (const { source, target } of found.values()) {
  await build({
    ...common,
    entryPoints: [source],
    outfile: target,
    packages: "external",
    banner: {},
    minifyWhitespace: false,
    minifySyntax: false,
    plugins: [runtimeFiles(found, path.dirname(target))],
  });
  written.add(target).add(`${target}.map`);
}

// Files of earlier builds go last, not first: a worker already running keeps its lazy chunks while this build runs.
for (const name of await readdir(outdir)) if (!written.has(path.join(outdir, name))) await rm(path.join(outdir, name), { recursive: true, force: true });

console.log(`[build:worker] ${path.relative(root, outdir)}: ${written.size} files (${found.size} runtime files) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
