/**
 * Next.js calls register() once when a server instance starts. NEXT_RUNTIME is Next's own
 * variable and the one read outside lib/env.ts: the Node-only modules must not be imported in
 * the edge runtime.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // The client address for rate limits and audit entries (lib/auth/client-address.ts).
  const { installPeerAddressHook } = await import("@/lib/auth/peer-address-hook");
  installPeerAddressHook();
  // The web app makes outbound calls (provider tests, the tool console, MCP connects), so it
  // warns about WEFT_ALLOW_PRIVATE_NETWORK like the worker does.
  const [{ allowPrivateNetwork }, { logger }, { warnIfPrivateNetworkOpen }] = await Promise.all([
    import("@/lib/env"),
    import("@/lib/log"),
    import("@/lib/net/private-network-warning"),
  ]);
  warnIfPrivateNetworkOpen(logger, allowPrivateNetwork(), "web");
  // Prisma loads its query compiler (WebAssembly: 55–75 ms and about 20 MiB) on a process's first
  // query; loading it now spares that wait to the first request after a start. $connect() opens no
  // database connection (the pool connects on the first query), so a database that is down does
  // not hold the start.
  try {
    const { db } = await import("@/lib/db/client");
    await db().$connect();
  } catch {
    // Invalid database settings or a compiler that failed to load: the first query reports it.
  }
}
