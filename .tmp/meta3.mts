import { build } from "esbuild";
const root = "/work/wt-build";
const r = await build({ absWorkingDir: root, entryPoints: { "run-worker": "workers/run-worker.ts" }, outdir: "/tmp/wb/out", outExtension: { ".js": ".mjs" }, bundle: true, splitting: true, platform: "node", format: "esm", target: "node20", alias: { "@": root }, external: ["isolated-vm", "pg-native", "msgpackr-extract"], metafile: true, write: false, logLevel: "error" });
const out = r.metafile.outputs;
for (const [name, o] of Object.entries(out)) {
  if (name.endsWith(".map")) continue;
  const by: Record<string, number> = {};
  for (const [input, v] of Object.entries(o.inputs)) {
    const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(input);
    const key = m ? m[1] : input.split("/").slice(0, 2).join("/");
    by[key] = (by[key] ?? 0) + v.bytesInOutput;
  }
  console.log(name, o.bytes, "imports:", o.imports.map(i=>i.kind[0]+":"+i.path.replace("/tmp/wb/out/","")).filter(x=>!x.includes("node:")&&x.includes("mjs")).join(" "));
  for (const [k, v] of Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log("   ", k, (v / 1024).toFixed(0), "KiB");
}
