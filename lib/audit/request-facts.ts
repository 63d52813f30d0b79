import { clientAddress, parseTrustedProxies } from "@/lib/auth/client-address";
import { env } from "@/lib/env";

/** The client address and user agent an audit entry records, read the way sign-in does (WEFT_TRUSTED_PROXIES). */
export interface RequestFacts {
  ip: string | null;
  userAgent: string | null;
}

export function requestFacts(request: Request): RequestFacts {
  const address = clientAddress(request.headers.get("x-forwarded-for"), parseTrustedProxies(env().WEFT_TRUSTED_PROXIES));
  return { ip: address?.toString() ?? null, userAgent: request.headers.get("user-agent")?.slice(0, 512) ?? null };
}

/** For calls that have no request (scripts, tests of services). */
export const NO_REQUEST_FACTS: RequestFacts = { ip: null, userAgent: null };
