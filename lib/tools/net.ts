import ipaddr from "ipaddr.js";
import type { HttpRequest, HttpResponse } from "@/lib/engine/ports";
import { createHttpService } from "@/lib/nodes/http/client";
import { classifyAddress, isIpLiteral, systemResolve, type GuardOptions } from "@/lib/net/ssrf";
import { ServiceError } from "@/lib/services/errors";

/**
 * The one guarded HTTP client of tools: the HTTP node's client (SSRF guard on every hop, manual
 * redirects, size limit, timeout) plus the workspace's allow-list. Entries are `host`,
 * `host:port`, an IP address or a CIDR (`10.0.0.0/8`, `fd00::/8`). A name matches a CIDR when every
 * address it resolves to is public or inside an allowed network (checked before each hop; such
 * hops then connect without the connect-time check, so a DNS answer that changes between the two
 * is the residual risk of allow-listing a network by name — allow-list the IP literal to avoid it).
 */

export type HttpPort = (request: HttpRequest) => Promise<HttpResponse>;

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

interface ParsedAllowList {
  hosts: string[];
  cidrs: Cidr[];
}

function parseEntry(entry: string): { host: string } | { cidr: Cidr } | null {
  const value = entry.trim().toLowerCase();
  if (!value) return null;
  if (value.includes("/")) {
    try {
      return { cidr: ipaddr.parseCIDR(value) };
    } catch {
      return null;
    }
  }
  if (isIpLiteral(value)) {
    const address = ipaddr.parse(value.replace(/^\[|\]$/g, ""));
    return { cidr: [address, address.kind() === "ipv4" ? 32 : 128] };
  }
  return /^[a-z0-9.-]+(:\d{1,5})?$/.test(value) ? { host: value } : null;
}

/** Throws a ServiceError naming the entries that are neither a host, host:port, IP nor CIDR. */
export function allowListProblems(entries: readonly string[]): void {
  const bad = entries.filter((e) => parseEntry(e) === null);
  if (bad.length > 0) {
    throw new ServiceError("invalid_request", `Not a host, host:port, IP address or CIDR: ${bad.join(", ")}.`);
  }
}

function parseAllowList(entries: readonly string[]): ParsedAllowList {
  const out: ParsedAllowList = { hosts: [], cidrs: [] };
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (parsed && "host" in parsed) out.hosts.push(parsed.host);
    else if (parsed) out.cidrs.push(parsed.cidr);
  }
  return out;
}

function inCidrs(ip: string, cidrs: readonly Cidr[]): boolean {
  let address = ipaddr.parse(ip.replace(/^\[|\]$/g, ""));
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  return cidrs.some(([network, bits]) => network.kind() === address.kind() && address.match([network, bits] as never));
}

/** Whether a URL's host is on the allow-list (exact host / host:port, or an address inside an allowed network). */
export function allowListMatcher(entries: readonly string[], resolve: GuardOptions["resolve"] = systemResolve): (url: URL) => Promise<boolean> {
  const list = parseAllowList(entries);
  return async (url) => {
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    const port = url.port || (url.protocol === "https:" ? "443" : "80");
    if (list.hosts.includes(host) || list.hosts.includes(`${host}:${port}`)) return true;
    if (list.cidrs.length === 0) return false;
    if (isIpLiteral(host)) return inCidrs(host, list.cidrs);
    let addresses: string[];
    try {
      addresses = await resolve(host);
    } catch {
      return false;
    }
    const allowed = addresses.filter((a) => inCidrs(a, list.cidrs));
    return allowed.length > 0 && addresses.every((a) => allowed.includes(a) || classifyAddress(a).allowed);
  };
}

const clients = new Map<string, HttpPort>();
const CLIENT_CACHE = 200;

/** The guarded client for one allow-list (cached: the underlying undici agents are shared anyway). */
export function toolHttpClient(options: { allowPrivate: boolean; allowList: readonly string[]; resolve?: GuardOptions["resolve"] }): HttpPort {
  const key = `${options.allowPrivate}|${options.resolve ? "custom" : "system"}|${[...options.allowList].sort().join(",")}`;
  let client = options.resolve ? undefined : clients.get(key);
  if (!client) {
    client = createHttpService({ allowPrivate: options.allowPrivate, resolve: options.resolve, allow: allowListMatcher(options.allowList, options.resolve) });
    if (!options.resolve) {
      if (clients.size >= CLIENT_CACHE) clients.delete(clients.keys().next().value!);
      clients.set(key, client);
    }
  }
  return client;
}
