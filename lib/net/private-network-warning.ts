/**
 * WEFT_ALLOW_PRIVATE_NETWORK=true is an operator decision with a wide blast radius: every
 * workspace's HTTP nodes, tools, MCP servers and model providers may then reach loopback, private
 * and link-local addresses (the database, Redis, cloud metadata). Both processes that make such
 * calls (the web app and each worker) say so loudly at start-up, so it is never on by accident.
 */
export const PRIVATE_NETWORK_WARNING =
  "WEFT_ALLOW_PRIVATE_NETWORK=true: SSRF protection is OFF. Every workspace can reach loopback, private and link-local addresses " +
  "(this host's database and Redis, cloud metadata endpoints) from HTTP nodes, tools, MCP servers and model providers. " +
  "Use it only for development; in production leave it false and let workspace admins allow single hosts in Settings → Network.";

/** Logs the warning when the switch is on; returns whether it did. */
export function warnIfPrivateNetworkOpen(log: { warn: (object: object, message: string) => void }, allowPrivate: boolean, service: string): boolean {
  if (!allowPrivate) return false;
  log.warn({ service, setting: "WEFT_ALLOW_PRIVATE_NETWORK", scope: "every workspace" }, PRIVATE_NETWORK_WARNING);
  return true;
}
