import { isIPv6, type LookupFunction } from "node:net";
import { Agent, buildConnector, fetch as undiciFetch } from "undici";
import { assertNotMetadataHost, assertTargetAllowed, compilePolicy, isIpLiteral, isLocalhost, LOCALHOST_ADDRESSES, SsrfError, systemResolve, type CompiledPolicy, type GuardOptions, type NetworkPolicy } from "./ssrf";

/**
 * A fetch whose every TCP connection (redirect hops included, whoever follows them: our HTTP
 * client or a LangChain/MCP SDK) is checked against the network policy at connect time. Names are
 * resolved here, every address is checked (the global switch, public addresses, the workspace
 * allow-list by host[:port] or network) and the connection may only use the addresses that were checked,
 * so a DNS answer that changes between check and connect cannot slip through. TLS still verifies
 * the certificate against the name (undici derives the SNI server name from the origin).
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const agents = new Map<string, Agent>();
const AGENT_CACHE = 200;

function connectTargetHost(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}

/** Every address of the target, each checked against the policy (one refused address refuses the connection). */
async function checkedAddresses(policy: CompiledPolicy, host: string, port: number, resolve: GuardOptions["resolve"]): Promise<string[]> {
  if (isIpLiteral(host)) {
    assertTargetAllowed(policy, { host, port, address: host });
    return [host];
  }
  assertNotMetadataHost(policy, host);
  const addresses = isLocalhost(host) ? [...LOCALHOST_ADDRESSES] : await (resolve ?? systemResolve)(host);
  if (addresses.length === 0) throw Object.assign(new Error(`No address for ${host}`), { code: "ENOTFOUND" });
  for (const address of addresses) assertTargetAllowed(policy, { host, port, address });
  return addresses;
}

/** A dns.lookup stand-in that answers with the addresses already checked (Node's happy eyeballs still picks among them). */
function fixedLookup(addresses: string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: isIPv6(address) ? 6 : 4 }));
  return (_hostname, options, callback) => {
    if (options.all) callback(null, entries);
    else callback(null, entries[0]!.address, entries[0]!.family);
  };
}

function guardedAgent(policy: CompiledPolicy, resolve: GuardOptions["resolve"]): Agent {
  const connect: buildConnector.connector = (options, callback) => {
    const host = connectTargetHost(options.hostname);
    const port = Number(options.port) || (options.protocol === "https:" ? 443 : 80);
    checkedAddresses(policy, host, port, resolve).then(
      // A connector per connection: its lookup can only answer with this connection's checked addresses.
      (addresses) => buildConnector({ lookup: fixedLookup(addresses) })(options, callback),
      (error: Error) => callback(error, null),
    );
  };
  // Timeouts belong to the caller (the model's own timeout and the run's AbortSignal).
  return new Agent({ connect, headersTimeout: 0, bodyTimeout: 0 });
}

function policyKey(options: NetworkPolicy): string {
  return options.allowPrivate ? "open" : `list:${[...(options.allowList ?? [])].map((e) => e.trim().toLowerCase()).sort().join(",")}`;
}

/** One agent per distinct policy (connection pools are per policy, never shared across allow-lists). */
function agentFor(options: GuardOptions): Agent {
  if (options.resolve) return guardedAgent(compilePolicy(options), options.resolve);
  const key = policyKey(options);
  let agent = agents.get(key);
  if (!agent) {
    agent = guardedAgent(compilePolicy(options), undefined);
    // Evicted agents are not closed: a model or MCP client may still hold them; idle sockets time out by themselves.
    if (agents.size >= AGENT_CACHE) agents.delete(agents.keys().next().value!);
    agents.set(key, agent);
  }
  return agent;
}

export function createGuardedFetch(options: GuardOptions): FetchLike {
  const dispatcher = agentFor(options);
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
