import { NextResponse, type NextRequest } from "next/server";

/** Request header carrying path + query to server components, so sign-in can send the user back. */
export const PATHNAME_HEADER = "x-weft-pathname";

/**
 * Body of the root `proxy.ts`: forwards the requested path to server components (read by
 * requireMember for `/sign-in?next=…`). Authorization is NOT done here; every page and route
 * checks the session itself.
 */
export function forwardPathname(request: NextRequest): NextResponse {
  const headers = new Headers(request.headers);
  headers.set(PATHNAME_HEADER, request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.next({ request: { headers } });
}
