import type { NextRequest } from "next/server";
import { forwardPathname } from "@/lib/auth/proxy";

/** Passes the requested path to server components, so sign-in can send the user back (?next=). */
export function proxy(request: NextRequest) {
  return forwardPathname(request);
}

export const config = { matcher: ["/((?!api|_next|.*\\..*).*)"] };
