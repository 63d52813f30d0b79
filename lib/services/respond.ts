import { NextResponse } from "next/server";
import { databaseInputProblem } from "@/lib/db/input-errors";
import { logger } from "@/lib/log";
import { ServiceError, httpStatusOf } from "./errors";

/** Maps a thrown error to the JSON error shape every route uses: { error: { code, message, ...details } }. */
export function serviceErrorResponse(error: unknown): NextResponse {
  if (error instanceof ServiceError) {
    return NextResponse.json({ error: { code: error.code, message: error.message, ...error.details } }, { status: httpStatusOf(error.code) });
  }
  const badInput = databaseInputProblem(error);
  if (badInput) return NextResponse.json({ error: { code: "invalid_request", message: badInput } }, { status: 400 });
  logger.error({ err: error }, "unhandled error in route");
  return NextResponse.json({ error: { code: "internal", message: "Something went wrong on our side." } }, { status: 500 });
}
