/**
 * A closed set of error codes. Every failure a user can see on a step or a run carries one,
 * with a message written for the user (never a stack trace).
 */
export const ERROR_CODES = [
  "invalid_graph",
  "invalid_input",
  "template_error",
  "expression_error",
  "provider_not_found",
  "provider_auth",
  "provider_rate_limit",
  "provider_unavailable",
  "provider_bad_request",
  "output_invalid",
  "http_error",
  "http_unavailable",
  "network_blocked",
  "code_error",
  "code_limit",
  "tool_not_found",
  "tool_error",
  "tool_unavailable",
  "secret_not_found",
  /** A secret refused: its host is not on the secret's list, or the run's initiator lacks its role. */
  "secret_denied",
  "subworkflow_error",
  /** A knowledge base that is not in the run's workspace (deleted, or another workspace's id). */
  "knowledge_not_found",
  "timeout",
  "limit_exceeded",
  "cancelled",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  nodeId?: string;
  retryable?: boolean;
}

/** What a node had done when it failed, so the failed step still shows its input, trace and spend. */
export interface FailureTrace {
  input?: unknown;
  detail?: Record<string, unknown>;
  usage?: { promptTokens: number; completionTokens: number; totalTokens: number };
}

export class NodeError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly trace: FailureTrace;
  /** How long the other side asked us to wait before trying again (an HTTP Retry-After), when it said. */
  readonly retryAfterMs?: number;
  constructor(
    code: ErrorCode,
    message: string,
    options: { retryable?: boolean; cause?: unknown; trace?: FailureTrace; retryAfterMs?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "NodeError";
    this.code = code;
    this.retryable = options.retryable ?? isRetryableCode(code);
    this.trace = options.trace ?? {};
    if (options.retryAfterMs !== undefined && Number.isFinite(options.retryAfterMs) && options.retryAfterMs >= 0) {
      this.retryAfterMs = options.retryAfterMs;
    }
  }

  /** The same error with what the node had done attached (keeps code, message, cause and Retry-After). */
  withTrace(trace: FailureTrace): NodeError {
    return new NodeError(this.code, this.message, {
      retryable: this.retryable,
      cause: this.cause,
      trace: { ...this.trace, ...trace },
      retryAfterMs: this.retryAfterMs,
    });
  }
}

export function isRetryableCode(code: ErrorCode): boolean {
  switch (code) {
    case "provider_rate_limit":
    case "provider_unavailable":
    case "http_unavailable":
    case "tool_unavailable":
    case "timeout":
      return true;
    case "invalid_graph":
    case "invalid_input":
    case "template_error":
    case "expression_error":
    case "provider_not_found":
    case "provider_auth":
    case "provider_bad_request":
    case "output_invalid":
    case "http_error":
    case "network_blocked":
    case "code_error":
    case "code_limit":
    case "tool_not_found":
    case "tool_error":
    case "secret_not_found":
    case "secret_denied":
    case "subworkflow_error":
    case "knowledge_not_found":
    case "limit_exceeded":
    case "cancelled":
    case "internal":
      return false;
  }
}

/** Turns anything thrown inside a node into the user-facing shape; unknown errors become `internal`. */
export function toErrorInfo(error: unknown, nodeId?: string): ErrorInfo {
  if (error instanceof NodeError) {
    return { code: error.code, message: error.message, nodeId, retryable: error.retryable };
  }
  return { code: "internal", message: "The node failed with an unexpected error.", nodeId, retryable: false };
}
