/**
 * How every script, test and benchmark starts the web process: the compiled server that
 * `npm run build` writes (scripts/build-server.ts: Next.js plus the public API served directly,
 * server/web.ts), with bare `node`. `npm start` is the same command.
 */

/** The web server bundle, relative to the project root. */
export const WEB_SERVER = "dist/web/server.mjs";

/**
 * Node arguments that start the web process on `host:port`; `nodeArgs` go first (profilers, --import probes).
 * No --enable-source-maps: Node would then read the source maps of every Next chunk it loads
 * (about 150 MiB more RSS, measured with bench/http-runs.ts).
 */
export function webArgs(port: number, host = "127.0.0.1", nodeArgs: string[] = []): string[] {
  return [...nodeArgs, WEB_SERVER, "-H", host, "-p", String(port)];
}
