import { lookup as dnsLookup } from "node:dns";
import { classifyAddress, isIpLiteral, isMetadataAddress, METADATA_HOSTS, parseIp, type Target } from "./addresses";
import { compileAllowList, type CompiledAllowList } from "./allow-list";

export { classifyAddress, isIpLiteral, type AddressVerdict } from "./addresses";

/**
 * Server-side request forgery guard for every outbound HTTP path (HTTP nodes, HTTP and OpenAPI
 * tools, MCP over HTTP, model providers). Only public unicast addresses are reachable, plus what
 * the workspace's network allow-list opens (lib/net/allow-list.ts), unless the operator turned on
 * WEFT_ALLOW_PRIVATE_NETWORK. Checked twice: up front on the URL (a clear error before any call),
 * and at connect time on every resolved address (guarded-fetch.ts), which also covers redirects
 * and DNS answers that change between the check and the call.
 */

export class SsrfError extends Error {
  readonly address?: string;
  constructor(message: string, address?: string) {
    super(message);
    this.name = "SsrfError";
    this.address = address;
  }
}

const RANGE_WORDS: Record<string, string> = {
  loopback: "a loopback address",
  private: "a private network address",
  linkLocal: "a link-local address",
  uniqueLocal: "a private (unique local) IPv6 address",
  unspecified: "an unspecified address",
  carrierGradeNat: "a carrier-grade NAT address",
  broadcast: "a broadcast address",
  multicast: "a multicast address",
  reserved: "a reserved address",
  ipv4Compatible: "a deprecated IPv4-compatible IPv6 address",
  nat64Local: "a local-use NAT64 address (64:ff9b:1::/48)",
  teredo: "a Teredo tunnel address",
};

function describeRange(range: string): string {
  return RANGE_WORDS[range] ?? `a non-public address (${range})`;
}

function strip(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** What may be reached: the operator's global switch, the workspace's allow-list on top of it. */
export interface NetworkPolicy {
  /** WEFT_ALLOW_PRIVATE_NETWORK: every private address, every workspace (development, tests). */
  allowPrivate: boolean;
  /** The workspace's network allow-list (host, host:port, IP, IP:port or CIDR entries). */
  allowList?: readonly string[];
}

export interface GuardOptions extends NetworkPolicy {
  /** DNS resolver; defaults to the system resolver. Tests pass a fake. */
  resolve?: (hostname: string) => Promise<string[]>;
}

export function systemResolve(hostname: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses.map((a) => a.address));
    });
  });
}

function blockedMessage(target: Target, range: string, metadata: boolean): string {
  const host = strip(target.host);
  const via = host === target.address ? "" : ` (it resolves to ${target.address})`;
  if (metadata) return `Requests to ${host}${via} are blocked: it is a cloud metadata endpoint (${describeRange(range)}), which no allow-list can open.`;
  const what = `Requests to ${host}${via} are blocked: it is ${describeRange(range)}`;
  const entry = `${host.includes(":") ? `[${host}]` : host}:${target.port}`;
  return `${what}. An admin can allow it for this workspace in Settings → Network (entry ${entry}).`;
}

/** Compiled once per policy and reused for every check of a client. */
export interface CompiledPolicy {
  allowPrivate: boolean;
  list: CompiledAllowList;
}

export function compilePolicy(policy: NetworkPolicy): CompiledPolicy {
  return { allowPrivate: policy.allowPrivate, list: compileAllowList(policy.allowList ?? []) };
}

/** Throws SsrfError when the policy does not let a connection reach this target. */
export function assertTargetAllowed(policy: CompiledPolicy, target: Target): void {
  if (policy.allowPrivate) return;
  const verdict = classifyAddress(target.address);
  if (verdict.allowed) return;
  const ip = parseIp(target.address);
  const metadata = ip !== undefined && isMetadataAddress(ip);
  if (!metadata && ip && policy.list.permits(target)) return;
  throw new SsrfError(blockedMessage(target, verdict.range, metadata), target.address);
}

function metadataHostError(host: string): SsrfError {
  return new SsrfError(`Requests to ${host} are blocked: it is a cloud metadata endpoint, which no allow-list can open.`, host);
}

function isMetadataHost(host: string): boolean {
  const name = host.replace(/\.$/, "").toLowerCase();
  return (METADATA_HOSTS as readonly string[]).includes(name);
}

export function defaultPort(url: URL): number {
  return Number(url.port || (url.protocol === "https:" ? 443 : 80));
}

function parseUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : url;
  } catch {
    throw new SsrfError(`"${String(url)}" is not a valid URL.`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new SsrfError(`Only http and https URLs are allowed (got ${parsed.protocol}).`);
  }
  return parsed;
}

async function resolveHost(host: string, resolve: GuardOptions["resolve"]): Promise<string[]> {
  let addresses: string[];
  try {
    addresses = await (resolve ?? systemResolve)(host);
  } catch (error) {
    throw new SsrfError(`The host ${host} could not be resolved (${(error as Error).message}).`);
  }
  if (addresses.length === 0) throw new SsrfError(`The host ${host} did not resolve to any address.`);
  return addresses;
}

/** *.localhost is loopback by definition (RFC 6761), whatever a resolver says: both loopback addresses, always. */
export const LOCALHOST_ADDRESSES: readonly string[] = ["127.0.0.1", "::1"];

export function isLocalhost(host: string): boolean {
  const name = host.replace(/\.$/, "").toLowerCase();
  return name === "localhost" || name.endsWith(".localhost");
}

/**
 * Validates an outbound URL: http(s) only, and unless private networks are allowed, the host
 * (after the URL parser's normalisation of decimal/hex/octal IPv4 forms) and every address it
 * resolves to must be public or opened by the allow-list. Throws SsrfError with a message a user
 * can act on.
 */
export async function assertSafeUrl(url: string | URL, options: GuardOptions): Promise<URL> {
  const parsed = parseUrl(url);
  if (options.allowPrivate) return parsed;
  const policy = compilePolicy(options);
  const host = strip(parsed.hostname);
  const port = defaultPort(parsed);
  if (isIpLiteral(host)) {
    assertTargetAllowed(policy, { host, port, address: host });
    return parsed;
  }
  if (isMetadataHost(host)) throw metadataHostError(host);
  const addresses = isLocalhost(host) ? LOCALHOST_ADDRESSES : await resolveHost(host, options.resolve);
  for (const address of addresses) assertTargetAllowed(policy, { host, port, address });
  return parsed;
}

/** Metadata names are refused without resolving them (see assertSafeUrl), unless the operator opened everything. */
export function assertNotMetadataHost(policy: CompiledPolicy, host: string): void {
  if (!policy.allowPrivate && isMetadataHost(host)) throw metadataHostError(host);
}
