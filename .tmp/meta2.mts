import { build } from "esbuild";
const root = "/work/wt-build";
const r = await build({ absWorkingDir: root, entryPoints: { "run-worker": "workers/run-worker.ts" }, outdir: "/tmp/wb/out", outExtension: { ".js": ".mjs" }, bundle: true, splitting: true, platform: "node", format: "esm", target: "node20", alias: { "@": root }, external: ["isolated-vm", "pg-native", "msgpackr-extract"], metafile: true, write: false, logLevel: "error" });
// who imports what: path from entry to given packages
const inputs = r.metafile.inputs;
const want = process.argv.slice(2);
for (const w of want) {
  const importers = Object.entries(inputs).filter(([, v]) => v.imports.some((i) => i.path.includes(w) && i.kind !== "dynamic-import")).map(([k]) => k).filter((k) => !k.includes("node_modules"));
  console.log(w, "<-", importers);
}
