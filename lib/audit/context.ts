import { AsyncLocalStorage } from "node:async_hooks";
import type { RequestFacts } from "./request-facts";

/**
 * The request facts an audit entry needs (client address, user agent, and which API key acted),
 * captured once where a request is authenticated (withMember, withApiKey) and read by recordAudit
 * wherever a service records something, so no service signature carries headers.
 * AsyncLocalStorage follows the handler's awaits; outside a request (worker, tests calling
 * services directly) there is no context and entries carry no address.
 */
export interface AuditContext extends RequestFacts {
  /** Set when the request was made with an API key: the key acts, with its creator's role. */
  apiKey?: { id: string; label: string };
}

const holder = globalThis as unknown as { __weftAuditContext?: AsyncLocalStorage<AuditContext> };
const storage = () => (holder.__weftAuditContext ??= new AsyncLocalStorage<AuditContext>());

/** Runs `work` with `context` visible to every recordAudit call it makes. */
export function withAuditContext<T>(context: AuditContext, work: () => T): T {
  return storage().run(context, work);
}

export const currentAuditContext = (): AuditContext | undefined => storage().getStore();
