import { NextResponse, type NextRequest } from "next/server";
import { apiRequestRefusal } from "@/lib/auth/origin";
import { withTransportSecurity } from "@/lib/auth/security-headers";

/** Request header carrying path + query to server components, so sign-in can send the user back. */
export const PATHNAME_HEADER = "x-weft-pathname";

/**
 * Body of the root `proxy.ts`. API routes: refuses cross-origin state-changing requests
 * (lib/auth/origin.ts). Pages: forwards the requested path to server components (read by
 * requireMember for `/sign-in?next=…`). Every response gets HSTS when the app is served over
 * https. Authorization is NOT done here; every page and route checks the session itself.
 */
export function weftProxy(request: NextRequest, appUrl: string): NextResponse | Response {
  const pathname = request.nextUrl.pathname;
  if (pathname.startsWith("/api/")) {
    return withTransportSecurity(apiRequestRefusal(request, pathname, appUrl) ?? NextResponse.next(), appUrl);
  }
  return withTransportSecurity(forwardPathname(request), appUrl);
}

export function forwardPathname(request: NextRequest): NextResponse {
  const headers = new Headers(request.headers);
  headers.set(PATHNAME_HEADER, request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.next({ request: { headers } });
}
