import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import { securityHeaders } from "./lib/auth/security-headers";

export default function nextConfig(phase: string): NextConfig {
  return {
    // The worker and tests import lib/ directly; Next only serves app/.
    poweredByHeader: false,
    typedRoutes: false,
    // CSP, framing, sniffing and referrer policy on every response (HSTS is added at run time by proxy.ts).
    async headers() {
      return [{ source: "/:path*", headers: securityHeaders({ development: phase === PHASE_DEVELOPMENT_SERVER }) }];
    },
  };
}
