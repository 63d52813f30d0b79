/**
 * The web process (`npm start`): Next.js for the studio's pages and routes and the chat pages,
 * with the public API (`/api/v1/…`, `/api/hooks/…`) and the chat apps' API (`/api/chat/…`)
 * answered by their route handlers directly (server/direct-routes.ts says why), after the same
 * checks proxy.ts makes for /api/ paths. Compiled to dist/web/server.mjs by `npm run build`.
 *
 *   node dist/web/server.mjs [-p 3000] [-H 127.0.0.1]     (or PORT; without -H on every interface, as `next start`)
 */
import { createRequire } from "node:module";
import http from "node:http";
import path from "node:path";
import { apiRequestRefusal } from "@/lib/auth/origin";
import { installPeerAddressHook } from "@/lib/auth/peer-address-hook";
import { withTransportSecurity } from "@/lib/auth/security-headers";
import { env } from "@/lib/env";
import { isDirectPath, loadDirectRoutes } from "./direct-routes";
import { headerRules, sendWebResponse, toWebRequest } from "./node-web-bridge";

const arg = (short: string, long: string) => {
  const index = process.argv.findIndex((a) => a === short || a === long);
  return index > 0 ? process.argv[index + 1] : undefined;
};

const port = Number(arg("-p", "--port") ?? process.env.PORT ?? 3000);
// Not $HOSTNAME: shells and containers set it to the machine's name.
const bindHost = arg("-H", "--hostname");
const hostname = bindHost ?? "localhost";
const dir = process.cwd();
// As `next start` does: a production server, whatever the shell had.
(process.env as Record<string, string>).NODE_ENV = "production";

const { default: next } = await import("next");
const app = next({ dev: false, dir, hostname, port });
const nextHandler = app.getRequestHandler();
await app.prepare();

const distDir = path.join(dir, ".next");
const routes = await loadDirectRoutes(distDir);
// What proxy.ts passes to the same checks; read after prepare(), when Next has loaded .env.
const appUrl = env().BETTER_AUTH_URL;
const rules = headerRules(createRequire(path.join(distDir, "noop.js"))(path.join(distDir, "routes-manifest.json")));
// Every request, Next's or not, gets its peer appended to X-Forwarded-For before anything reads it.
installPeerAddressHook();

/** An error of the direct path itself, in the API's error shape and with the config's headers like every other answer. */
const problem = (res: http.ServerResponse, pathname: string, status: number, code: string, message: string) =>
  sendWebResponse(res, Response.json({ error: { code, message } }, { status }), pathname, rules, false);

/** Answers `req` with its direct route's handler; false when Next should (no such route, or a method it does not export). */
async function serveDirect(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<boolean> {
  const method = req.method ?? "GET";
  const found = routes.match(method, pathname);
  if (!found) return false;
  if (found.kind === "bad-path") {
    await problem(res, pathname, 400, "invalid_request", "The request path is not valid percent-encoding.");
    return true;
  }
  const request = await toWebRequest(req, res);
  if (!request) {
    await problem(res, pathname, 400, "invalid_request", "The Host header does not make a valid URL.");
    return true;
  }
  // proxy.ts's work for /api/ paths: the same-origin check (chat routes), HSTS over https.
  const response = apiRequestRefusal(request, pathname, appUrl) ?? (await found.handler(request, { params: Promise.resolve(found.params) }));
  await sendWebResponse(res, withTransportSecurity(response, appUrl), pathname, rules, method === "HEAD");
  return true;
}

const server = http.createServer((req, res) => {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  const pathname = query < 0 ? url : url.slice(0, query);
  if (!isDirectPath(pathname)) return void nextHandler(req, res);
  serveDirect(req, res, pathname).then(
    (served) => {
      if (!served) void nextHandler(req, res);
    },
    (error: unknown) => {
      // A client that left mid-request is no error of ours; nothing is left to answer.
      if (req.destroyed && !req.complete) return void res.destroy();
      // As Next does for a handler that throws: logged, and a 500 without details.
      console.error(`Error handling ${req.method} ${pathname}:`, error);
      if (!res.headersSent) void problem(res, pathname, 500, "internal", "Internal server error.").catch(() => res.destroy());
      else res.destroy();
    },
  );
});

const listening = () => {
  console.log(`▲ Weft web on http://${hostname}:${port} (${routes.pages.length} API routes served directly)`);
  console.log("✓ Ready");
};
// Without -H: every interface, IPv6 and IPv4, so http://localhost works whichever it resolves to.
if (bindHost) server.listen(port, bindHost, listening);
else server.listen(port, listening);

let closing = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    // Open streams (SSE) would hold close() forever; the process leaves after a grace period.
    setTimeout(() => process.exit(0), 5_000).unref();
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
