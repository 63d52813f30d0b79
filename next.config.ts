import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import { EMBED_PAGE_SOURCE, NOT_EMBED_PAGE_SOURCE, embedPageHeaders, securityHeaders } from "./lib/auth/security-headers";

export default function nextConfig(phase: string): NextConfig {
  return {
    // The worker and tests import lib/ directly; Next only serves app/.
    poweredByHeader: false,
    typedRoutes: false,
    // CSP, framing, sniffing and referrer policy on every response (HSTS is added at run time by proxy.ts).
    // The chat widget's embed page alone may be framed (by its app's allowed origins, set by proxy.ts).
    async headers() {
      const development = phase === PHASE_DEVELOPMENT_SERVER;
      return [
        { source: NOT_EMBED_PAGE_SOURCE, headers: securityHeaders({ development }) },
        { source: EMBED_PAGE_SOURCE, headers: embedPageHeaders({ development }) },
      ];
    },
  };
}
