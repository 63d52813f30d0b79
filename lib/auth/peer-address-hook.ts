import http from "node:http";
import https from "node:https";

const INSTALLED = Symbol.for("weft.peer-address-hook");

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
type Patchable = { emit: Emit; [INSTALLED]?: true };

/**
 * Appends the socket's peer address to `X-Forwarded-For` on every request a Node HTTP(S) server
 * in this process receives, before Next sees it. Next only fills that header when it is absent,
 * so without this a client-sent value reaches route handlers as is and the real peer is lost
 * (see lib/auth/client-address.ts). Installed once per process from instrumentation.ts; it
 * patches the server prototypes because Next creates its server before any app code runs.
 * Requests that reach the server before instrumentation has run (the first moments after boot)
 * keep Next's behaviour.
 */
export function installPeerAddressHook(): void {
  patch(http.Server.prototype as unknown as Patchable);
  patch(https.Server.prototype as unknown as Patchable);
}

function patch(prototype: Patchable): void {
  if (Object.prototype.hasOwnProperty.call(prototype, INSTALLED)) return;
  const original = prototype.emit;
  prototype.emit = function emit(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "request" && args[0] instanceof http.IncomingMessage) appendPeerAddress(args[0]);
    return original.call(this, event, ...args);
  };
  prototype[INSTALLED] = true;
}

/** Adds the socket's remote address as the last `X-Forwarded-For` hop (what a reverse proxy does). */
export function appendPeerAddress(request: http.IncomingMessage): void {
  const peer = request.socket?.remoteAddress;
  if (!peer) return;
  const existing = request.headers["x-forwarded-for"];
  const sent = Array.isArray(existing) ? existing.join(", ") : existing;
  request.headers["x-forwarded-for"] = sent ? `${sent}, ${peer}` : peer;
}
