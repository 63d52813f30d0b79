/** What every esbuild bundle of our Node processes shares (scripts/build-worker.ts, scripts/build-server.ts): ESM for Node 20, `@/` resolved, linked source maps. */
export function nodeBundleOptions(root: string) {
  return {
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "linked",
    sourcesContent: false,
    alias: { "@": root },
    logLevel: "warning",
  } as const;
}
