/**
 * Errors a service raises for the caller to see. Route handlers map them to HTTP with
 * `serviceErrorResponse`; anything else becomes a 500 with a stable message.
 */
export const SERVICE_ERROR_CODES = ["not_found", "forbidden", "conflict", "invalid_request", "invalid_graph", "invalid_input", "budget_exhausted"] as const;
export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[number];

export class ServiceError extends Error {
  readonly code: ServiceErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ServiceErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "ServiceError";
    this.code = code;
    this.details = details;
  }
}

export function httpStatusOf(code: ServiceErrorCode): number {
  switch (code) {
    case "not_found":
      return 404;
    case "forbidden":
      return 403;
    case "conflict":
      return 409;
    // Payment Required: the month's budget is spent; an admin raises it in Settings → Usage & limits.
    case "budget_exhausted":
      return 402;
    case "invalid_request":
    case "invalid_graph":
    case "invalid_input":
      return 400;
  }
}

export const notFound = (what: string) => new ServiceError("not_found", `${what} not found.`);
export const forbidden = (message = "Your role does not allow this.") => new ServiceError("forbidden", message);
