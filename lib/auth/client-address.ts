import ipaddr from "ipaddr.js";

/**
 * The client address behind a request, for rate limits and audit entries.
 *
 * Where the address comes from. Next's Node server (base-server.js, Next 16) fills
 * `X-Forwarded-For` from the socket only when the request has none (`??=`): a client-sent header
 * is handed to route handlers unchanged and the socket address is lost. So Weft installs a hook
 * at server start (instrumentation.ts → lib/auth/peer-address-hook.ts) that APPENDS the socket's
 * peer address to `X-Forwarded-For`, as a reverse proxy does. The right-most entry is then
 * always the peer; entries to its left are only as trustworthy as the peer. We walk the list
 * from the right, skip peers that are configured trusted proxies (`WEFT_TRUSTED_PROXIES`), and
 * take the first address that is not one: a client can prepend whatever it likes, but it cannot
 * change what the hook or a trusted proxy appended after it.
 */
export type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type AddressRange = [Address, number];

/** IPv6 clients usually hold a whole /64; keying on the full address would let one rotate freely. */
const IPV6_KEY_PREFIX = 64;

/** A strict address: dotted-quad IPv4 or IPv6 (IPv4-mapped IPv6 becomes IPv4); null otherwise. */
export function parseAddress(value: string): Address | null {
  const text = stripPort(value.trim());
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!ipaddr.IPv6.isValid(text)) return null;
  const v6 = ipaddr.IPv6.parse(text);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
}

/** "10.0.0.1" (one host) or "10.0.0.0/8", "fd00::/8"; null when either part is invalid. */
export function parseAddressRange(value: string): AddressRange | null {
  const [host, bits, ...rest] = value.trim().split("/");
  if (rest.length > 0 || host === undefined) return null;
  const address = parseAddress(host);
  if (!address) return null;
  const max = address.kind() === "ipv4" ? 32 : 128;
  if (bits === undefined) return [address, max];
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return null;
  return [address, Number(bits)];
}

/** Parses WEFT_TRUSTED_PROXIES entries (already validated by lib/env.ts). */
export function parseTrustedProxies(entries: readonly string[]): AddressRange[] {
  return entries.map(parseAddressRange).filter((range): range is AddressRange => range !== null);
}

function isTrusted(address: Address, trusted: readonly AddressRange[]): boolean {
  return trusted.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
}

/**
 * The client address from an `X-Forwarded-For` value whose right-most entry is the socket peer
 * (see the module comment), or null when the chain is empty or broken before an untrusted hop
 * (a garbage entry cannot be a client address; the caller falls back to a shared bucket).
 * When every hop is trusted the request came from inside, and the left-most hop is the client.
 */
export function clientAddress(forwardedFor: string | null, trusted: readonly AddressRange[]): Address | null {
  const hops = (forwardedFor ?? "").split(",").map((hop) => hop.trim()).filter(Boolean);
  let last: Address | null = null;
  for (let i = hops.length - 1; i >= 0; i--) {
    const address = parseAddress(hops[i]!);
    if (!address) return null;
    if (!isTrusted(address, trusted)) return address;
    last = address;
  }
  return last;
}

/** A rate-limit key for an address: IPv4 as is, IPv6 by its /64 network. */
export function addressKey(address: Address | null): string {
  if (!address) return "unknown";
  if (address.kind() === "ipv4") return address.toString();
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${IPV6_KEY_PREFIX}`);
  return `${network.toString()}/${IPV6_KEY_PREFIX}`;
}

/** "1.2.3.4:5678" and "[2001:db8::1]:443" as some proxies write them; bare addresses unchanged. */
function stripPort(value: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1]!;
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(value);
  return v4WithPort ? v4WithPort[1]! : value;
}
