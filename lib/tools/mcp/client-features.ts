import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  McpError,
  type ClientCapabilities,
  type CreateMessageRequestParams,
  type CreateMessageResult,
  type ElicitRequestParams,
  type ElicitResult,
} from "@modelcontextprotocol/sdk/types.js";
import { CallScope } from "./call-scope";

/**
 * What Weft's MCP client offers servers (declared at `initialize`, so servers that need a feature
 * show their tools): `roots` always (the source's configured roots; none by default), `sampling`
 * and `elicitation` when the source enables them. Progress notifications need no capability: a
 * call asks for them with a progress token (call.ts).
 */

export interface McpRoot {
  uri: string;
  name?: string;
}

/** How the tool call in flight answers its server's requests (built per call in call.ts). */
export interface ServerRequestAnswers {
  sample(params: CreateMessageRequestParams, signal: AbortSignal): Promise<CreateMessageResult>;
  elicit(params: ElicitRequestParams, signal: AbortSignal): Promise<ElicitResult>;
}

export interface ClientFeatures {
  /** What `roots/list` answers: the source's roots (ToolSource config `roots`), none by default. */
  roots: McpRoot[];
  sampling: boolean;
  elicitation: boolean;
  /** The calls on this connection; sampling and elicitation are answered by the one in flight. */
  calls: CallScope;
}

export const noClientFeatures = (): ClientFeatures => ({ roots: [], sampling: false, elicitation: false, calls: new CallScope(false) });

export function clientCapabilities(features: ClientFeatures): ClientCapabilities {
  return {
    roots: { listChanged: false },
    ...(features.sampling ? { sampling: {} } : {}),
    // Form mode only: a URL to open in a browser has nobody to open it in a run.
    ...(features.elicitation ? { elicitation: { form: {} } } : {}),
  };
}

function callInFlight(features: ClientFeatures, what: string): ServerRequestAnswers {
  const answers = features.calls.current();
  if (!answers) throw new McpError(ErrorCode.InvalidRequest, `Weft answers ${what} requests only while one of this server's tools is being called.`);
  return answers;
}

export function installClientFeatures(client: Client, features: ClientFeatures): void {
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: features.roots }));
  // The SDK refuses a handler for a capability not declared, so each is installed only when declared.
  if (features.sampling) {
    client.setRequestHandler(CreateMessageRequestSchema, (request, extra) => callInFlight(features, "sampling").sample(request.params, extra.signal));
  }
  if (features.elicitation) {
    client.setRequestHandler(ElicitRequestSchema, (request, extra) => callInFlight(features, "elicitation").elicit(request.params, extra.signal));
  }
}
