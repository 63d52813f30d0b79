import { EARLY_TIER_UP_FLAGS } from "./v8-tier-up";

/**
 * How every script, test and benchmark starts the web process: the compiled server that
 * `npm run build` writes (scripts/build-server.ts: Next.js plus the public API served directly,
 * server/web.ts), with bare `node` and WEB_V8_FLAGS. `npm start` is the same command.
 */

/** The web server bundle, relative to the project root. */
export const WEB_SERVER = "dist/web/server.mjs";

/**
 * V8 settings that keep the web process's memory flat under load (bench/memory.ts, issue #9 point
 * 6): a young generation of at most 2 MiB per semi-space instead of 16. V8 grows it under a burst of
 * requests and keeps it: 10,000 sync runs left the web 30–38 % above its idle RSS by default, 26–30 %
 * with 4 MiB, 12–16 % with 2 MiB (live heap flat in all). Web CPU per request: within the noise at
 * 10 concurrent, about 0.3 ms more at 50 (bench/http-runs.ts, rounds interleaved). Then the
 * earlier tier-up of v8-tier-up.ts.
 */
export const WEB_V8_FLAGS = ["--max-semi-space-size=2", ...EARLY_TIER_UP_FLAGS];

/**
 * Node arguments that start the web process on `host:port`; `nodeArgs` come after the defaults, so
 * they can override them (profilers, --import probes, other V8 settings to try).
 * No --enable-source-maps: Node would then read the source maps of every Next chunk it loads
 * (about 150 MiB more RSS, measured with bench/http-runs.ts).
 */
export function webArgs(port: number, host = "127.0.0.1", nodeArgs: string[] = []): string[] {
  return [...WEB_V8_FLAGS, ...nodeArgs, WEB_SERVER, "-H", host, "-p", String(port)];
}
