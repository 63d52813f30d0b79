import { toNextJsHandler } from "better-auth/next-js";
import { auth } from "@/lib/auth/auth";
import { publicRoute } from "@/lib/http/route";

// Built lazily so `next build` can collect this route without the auth environment set.
const handler = (request: Request) => auth().handler(request);
const handlers = toNextJsHandler(handler);
const SIGN_IN = "sign-in, sign-up and sessions: better-auth authenticates these itself";

export const GET = publicRoute(SIGN_IN, handlers.GET);
export const POST = publicRoute(SIGN_IN, handlers.POST);
export const PATCH = publicRoute(SIGN_IN, handlers.PATCH);
export const PUT = publicRoute(SIGN_IN, handlers.PUT);
export const DELETE = publicRoute(SIGN_IN, handlers.DELETE);
