import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import ipaddr from "ipaddr.js";

/**
 * Server-side request forgery guard for outbound HTTP (model providers now, HTTP tools later).
 * Only public unicast addresses are reachable unless private networks are explicitly allowed.
 * Checked twice: up front on the URL (for a clear error before any call), and again at connect
 * time on every resolved address (see guarded-fetch.ts), which also covers redirects and DNS
 * answers that change between the check and the call.
 */

export class SsrfError extends Error {
  readonly address?: string;
  constructor(message: string, address?: string) {
    super(message);
    this.name = "SsrfError";
    this.address = address;
  }
}

export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js range name of the address, e.g. "loopback", "private", "linkLocal", "unicast". */
  range: string;
}

const RANGE_WORDS: Record<string, string> = {
  loopback: "a loopback address",
  private: "a private network address",
  linkLocal: "a link-local address (this includes cloud metadata endpoints)",
  uniqueLocal: "a private (unique local) IPv6 address",
  unspecified: "an unspecified address",
  carrierGradeNat: "a carrier-grade NAT address",
  broadcast: "a broadcast address",
  multicast: "a multicast address",
  reserved: "a reserved address",
};

function describeRange(range: string): string {
  return RANGE_WORDS[range] ?? `a non-public address (${range})`;
}

/** IPv4 embedded in NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses. */
function embeddedIPv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4 | undefined {
  const bytes = address.toByteArray();
  if (range === "rfc6052") return new ipaddr.IPv4(bytes.slice(12, 16));
  if (range === "6to4") return new ipaddr.IPv4(bytes.slice(2, 6));
  return undefined;
}

/** Whether an IP literal (any form ipaddr.js accepts, including decimal/hex/octal IPv4) is public unicast. */
export function classifyAddress(ip: string): AddressVerdict {
  const literal = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  if (!ipaddr.isValid(literal)) return { allowed: false, range: "invalid" };
  let address = ipaddr.parse(literal);
  if (address.kind() === "ipv6") {
    const v6 = address as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) {
      address = v6.toIPv4Address();
    } else {
      const range = v6.range();
      const inner = embeddedIPv4(v6, range);
      if (inner) {
        const innerRange = inner.range();
        return { allowed: innerRange === "unicast", range: innerRange === "unicast" ? range : innerRange };
      }
      return { allowed: range === "unicast", range };
    }
  }
  const range = address.range();
  return { allowed: range === "unicast", range };
}

export function isIpLiteral(host: string): boolean {
  const literal = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return ipaddr.isValid(literal);
}

export interface GuardOptions {
  /** Allow loopback/private/link-local targets (development, tests, local Ollama/vLLM). */
  allowPrivate: boolean;
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

function blockedMessage(host: string, address: string, range: string): string {
  const via = host === address ? "" : ` (it resolves to ${address})`;
  return (
    `Requests to ${host}${via} are blocked: it is ${describeRange(range)}. ` +
    `Set WEFT_ALLOW_PRIVATE_NETWORK=true to allow private network endpoints such as a local Ollama or vLLM.`
  );
}

/**
 * Validates an outbound URL: http(s) only, and unless private networks are allowed, the host
 * (after the URL parser's normalisation of decimal/hex/octal IPv4 forms) and every address it
 * resolves to must be public. Throws SsrfError with a message a user can act on.
 */
export async function assertSafeUrl(url: string | URL, options: GuardOptions): Promise<URL> {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : url;
  } catch {
    throw new SsrfError(`"${String(url)}" is not a valid URL.`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new SsrfError(`Only http and https URLs are allowed (got ${parsed.protocol}).`);
  }
  if (options.allowPrivate) return parsed;
  const host = parsed.hostname;
  const literal = host.startsWith("[") ? host.slice(1, -1) : host;
  if (isIpLiteral(literal)) {
    const verdict = classifyAddress(literal);
    if (!verdict.allowed) throw new SsrfError(blockedMessage(literal, literal, verdict.range), literal);
    return parsed;
  }
  if (literal === "localhost" || literal.endsWith(".localhost")) {
    throw new SsrfError(blockedMessage(literal, literal, "loopback"), literal);
  }
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? systemResolve)(literal);
  } catch (error) {
    throw new SsrfError(`The host ${literal} could not be resolved (${(error as Error).message}).`);
  }
  if (addresses.length === 0) throw new SsrfError(`The host ${literal} did not resolve to any address.`);
  for (const address of addresses) {
    const verdict = classifyAddress(address);
    if (!verdict.allowed) throw new SsrfError(blockedMessage(literal, address, verdict.range), address);
  }
  return parsed;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A drop-in for dns.lookup (as used by net/tls/undici connectors) that fails with SsrfError
 * when any resolved address is not public, so the check holds at connect time too.
 */
export function createGuardedLookup(options: Pick<GuardOptions, "allowPrivate">) {
  return function guardedLookup(hostname: string, lookupOptions: LookupOptions, callback: LookupCallback): void {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      if (!options.allowPrivate) {
        for (const { address } of addresses) {
          const verdict = classifyAddress(address);
          if (!verdict.allowed) return callback(new SsrfError(blockedMessage(hostname, address, verdict.range), address), []);
        }
      }
      if (lookupOptions.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`No address for ${hostname}`), { code: "ENOTFOUND" }), []);
      callback(null, first.address, first.family);
    });
  };
}
