import { Agent, buildConnector, fetch as undiciFetch } from "undici";
import { classifyAddress, createGuardedLookup, isIpLiteral, SsrfError } from "./ssrf";

/**
 * A fetch whose every TCP connection (including redirect hops) is checked by the SSRF guard:
 * names through a validating DNS lookup, IP literals (which never reach a lookup) before connecting.
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const agents = new Map<boolean, Agent>();

function guardedAgent(allowPrivate: boolean): Agent {
  const existing = agents.get(allowPrivate);
  if (existing) return existing;
  const base = buildConnector({ lookup: createGuardedLookup({ allowPrivate }) });
  const connect: buildConnector.connector = (options, callback) => {
    const host = options.hostname.startsWith("[") ? options.hostname.slice(1, -1) : options.hostname;
    if (!allowPrivate && isIpLiteral(host)) {
      const verdict = classifyAddress(host);
      if (!verdict.allowed) {
        callback(new SsrfError(`Requests to ${host} are blocked: it is not a public address (${verdict.range}).`, host), null);
        return;
      }
    }
    base(options, callback);
  };
  // Timeouts belong to the caller (the model's own timeout and the run's AbortSignal).
  const agent = new Agent({ connect, headersTimeout: 0, bodyTimeout: 0 });
  agents.set(allowPrivate, agent);
  return agent;
}

export function createGuardedFetch(options: { allowPrivate: boolean }): FetchLike {
  const dispatcher = guardedAgent(options.allowPrivate);
  return (input, init) =>
    // undici's own Request/Response types are structurally the web ones; the casts only bridge the declarations.
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher }) as unknown as Promise<Response>;
}

/** Finds an SsrfError anywhere in an error's cause chain (fetch wraps connect errors in TypeError). */
export function findSsrfError(error: unknown): SsrfError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth++) {
    if (current instanceof SsrfError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
