import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The worker and tests import lib/ directly; Next only serves app/.
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
