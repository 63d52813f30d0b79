/**
 * Runs once when a Next server process starts. NEXT_RUNTIME is read here (and only here) because
 * Next sets it per runtime and the Node-only hook must not be bundled for the edge.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // The client address for rate limits and audit entries (lib/auth/client-address.ts).
  const { installPeerAddressHook } = await import("@/lib/auth/peer-address-hook");
  installPeerAddressHook();
}
