import ipaddr from "ipaddr.js";
import { z } from "zod";
import { embeddedIPv4, effectiveAddress, isMetadataAddress, METADATA_ADDRESSES, METADATA_HOSTS, parseIp, type Target } from "./addresses";

/**
 * A workspace's network allow-list: the private hosts and networks its outbound requests (HTTP
 * nodes, tools, MCP over HTTP, model providers) may reach. Entries:
 *   host, host:port            a DNS name (any address it resolves to, except cloud metadata)
 *   IP, IP:port, [IPv6]:port   one address
 *   CIDR                       a network: IPv4 /8 or narrower, IPv6 /8 or narrower
 * Refused: catch-alls and broader networks, 0.0.0.0 and :: (they reach this host), anything that
 * names or contains a cloud metadata endpoint, IPv6 networks over the IPv4 embedding ranges
 * (write the IPv4 network instead), wildcards.
 */

export const MIN_PREFIX = { ipv4: 8, ipv6: 8 } as const;
export const MAX_ENTRIES = 200;

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

export type AllowEntry = { kind: "name"; name: string; port?: number } | { kind: "network"; cidr: Cidr; port?: number };

/** The entry list as admins send it; each entry is validated by parseAllowEntry. */
export const NetworkAllowListSchema = z.object({
  allowList: z
    .array(z.string().trim().min(1).max(200))
    .max(MAX_ENTRIES)
    .default([])
    .describe("Entries: host, host:port, an IP address (with an optional :port) or a CIDR such as 10.0.0.0/8"),
});
export type NetworkAllowList = z.infer<typeof NetworkAllowListSchema>;

/** DNS names; underscores too, because container names (Docker Compose `app_db_1`) resolve with them. */
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** IPv6 ranges whose addresses carry an IPv4 address: matched by that IPv4 address, never by an IPv6 network. */
const EMBEDDING_RANGES: Cidr[] = ["::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16"].map((c) => ipaddr.parseCIDR(c));
const UNSPECIFIED: Address[] = [ipaddr.parse("0.0.0.0"), ipaddr.parse("::")];
const METADATA: Address[] = METADATA_ADDRESSES.map((a) => ipaddr.parse(a));

type Parsed = { entry: AllowEntry } | { problem: string };

function contains([network, bits]: Cidr, address: Address): boolean {
  return network.kind() === address.kind() && address.match(network as never, bits);
}

function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b[0]) || contains(b, a[0]);
}

function parsePort(text: string | undefined, entry: string): number | string | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  return /^\d{1,5}$/.test(text) && port >= 1 && port <= 65535 ? port : `"${entry}": the port must be between 1 and 65535.`;
}

/** Splits `host:port`, `[v6]:port`, `v6`, `host` into host text and port text. */
function splitHostPort(value: string): { host: string; port?: string } {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(value);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] };
  if ((value.match(/:/g) ?? []).length > 1) return { host: value };
  const [host, port] = value.split(":");
  return { host: host!, port };
}

/** Why a network may not be allow-listed, or undefined when it may. */
function networkProblem(entry: string, cidr: Cidr): string | undefined {
  const [network, bits] = cidr;
  const kind = network.kind();
  if (bits < MIN_PREFIX[kind]) {
    return `"${entry}" is too broad: ${kind === "ipv4" ? "IPv4" : "IPv6"} networks must be /${MIN_PREFIX[kind]} or narrower (a catch-all would open every private address).`;
  }
  const unspecified = UNSPECIFIED.find((a) => contains(cidr, a));
  if (unspecified) return `"${entry}" contains ${unspecified.toString()}, which reaches this server itself.`;
  const metadata = METADATA.find((a) => contains(cidr, a));
  if (metadata) return `"${entry}" contains the cloud metadata endpoint ${metadata.toString()}; list a narrower network that leaves it out.`;
  if (kind === "ipv6" && EMBEDDING_RANGES.some((range) => overlaps(cidr, range))) {
    return `"${entry}" overlaps an IPv6 range that embeds IPv4 addresses (mapped, NAT64, 6to4); write the IPv4 address or network instead.`;
  }
  return undefined;
}

function parseNetwork(entry: string, value: string): Parsed {
  let cidr: Cidr;
  try {
    cidr = ipaddr.parseCIDR(value);
  } catch {
    return { problem: `"${entry}" is not a valid CIDR network (e.g. 10.0.0.0/8 or fd12:3456::/48).` };
  }
  const problem = networkProblem(entry, cidr);
  return problem ? { problem } : { entry: { kind: "network", cidr } };
}

function parseAddressOrName(entry: string, value: string): Parsed {
  const { host, port: portText } = splitHostPort(value);
  const port = parsePort(portText, entry);
  if (typeof port === "string") return { problem: port };
  const ip = parseIp(host);
  if (ip) {
    const address = embeddedOrSelf(ip);
    const cidr: Cidr = [address, address.kind() === "ipv4" ? 32 : 128];
    if (isMetadataAddress(address)) return { problem: `"${entry}" is a cloud metadata endpoint; it can never be allow-listed.` };
    if (UNSPECIFIED.some((a) => contains(cidr, a))) return { problem: `"${entry}" is the unspecified address, which reaches this server itself.` };
    return { entry: { kind: "network", cidr, port } };
  }
  const name = host.replace(/\.$/, "");
  if (!HOST_NAME.test(name)) return { problem: `"${entry}" is not a host, host:port, IP address or CIDR network.` };
  if ((METADATA_HOSTS as readonly string[]).includes(name)) return { problem: `"${entry}" is a cloud metadata endpoint; it can never be allow-listed.` };
  return { entry: { kind: "name", name, port } };
}

/** One entry: what it opens, or a message saying why it is refused. */
export function parseAllowEntry(raw: string): Parsed {
  const value = raw.trim().toLowerCase();
  if (!value) return { problem: "Empty entries are not allowed." };
  if (value.includes("://")) return { problem: `"${raw.trim()}" is a URL; write only the host and port (e.g. api.internal:8443).` };
  return value.includes("/") ? parseNetwork(raw.trim(), value) : parseAddressOrName(raw.trim(), value);
}

/** Every problem of a list, one message per refused entry (empty when the list is fine). */
export function allowListProblems(entries: readonly string[]): string[] {
  return entries.flatMap((entry) => {
    const parsed = parseAllowEntry(entry);
    return "problem" in parsed ? [parsed.problem] : [];
  });
}

/** The IPv4 address a connection to an IPv6 address with an embedded IPv4 one would reach; the address otherwise. */
function embeddedOrSelf(address: Address): Address {
  const effective = effectiveAddress(address);
  if (effective.kind() === "ipv4") return effective;
  return embeddedIPv4(effective as ipaddr.IPv6) ?? effective;
}

export interface CompiledAllowList {
  /** Whether an entry opens this target (the caller has already refused metadata addresses). */
  permits(target: Target): boolean;
}

/** Compiles entries for matching; refused entries (stored before the rules tightened) open nothing. */
export function compileAllowList(entries: readonly string[]): CompiledAllowList {
  const parsed = entries.map(parseAllowEntry).flatMap((p) => ("entry" in p ? [p.entry] : []));
  return {
    permits(target) {
      const host = target.host.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
      const ip = parseIp(target.address);
      const address = ip ? embeddedOrSelf(ip) : undefined;
      return parsed.some((entry) => {
        if (entry.port !== undefined && entry.port !== target.port) return false;
        if (entry.kind === "name") return entry.name === host;
        return address !== undefined && contains(entry.cidr, address);
      });
    },
  };
}
