import ipaddr from "ipaddr.js";

/**
 * What an IP literal really is: its range after every IPv4-in-IPv6 embedding is unwrapped, and
 * whether it is a cloud metadata endpoint. Pure; shared by the SSRF guard and the allow-list.
 */

/** One connection target: the URL's host and port, and one address it resolved to. */
export interface Target {
  host: string;
  port: number;
  address: string;
}

function strip(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js range name of the address (e.g. "loopback", "private", "linkLocal", "unicast"), or one of ours. */
  range: string;
}

const isZero = (bytes: number[]) => bytes.every((b) => b === 0);

/**
 * The IPv4 address an IPv6 address carries and that a host may end up connecting to: mapped
 * (::ffff:a.b.c.d), SIIT (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96),
 * 6to4 (2002:AABB:CCDD::) and ISATAP interface ids (…:0:5efe:a.b.c.d, …:200:5efe:a.b.c.d).
 */
export function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const bytes = address.toByteArray();
  const last4 = () => new ipaddr.IPv4(bytes.slice(12, 16));
  const range = address.range();
  if (range === "ipv4Mapped" || range === "rfc6145") return last4();
  if (range === "rfc6052" && isZero(bytes.slice(4, 12))) return last4();
  if (range === "6to4") return new ipaddr.IPv4(bytes.slice(2, 6));
  // ::a.b.c.d (IPv4-compatible), except :: and ::1 which are IPv6's own unspecified and loopback.
  if (isZero(bytes.slice(0, 12)) && !(isZero(bytes.slice(12, 15)) && bytes[15]! <= 1)) return last4();
  const isatap = (bytes[8] === 0 || bytes[8] === 2) && bytes[9] === 0 && bytes[10] === 0x5e && bytes[11] === 0xfe;
  return isatap ? last4() : undefined;
}

/** Parses an IP literal (any spelling ipaddr.js accepts, brackets allowed); undefined when it is not one. */
export function parseIp(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const literal = strip(ip);
  return ipaddr.isValid(literal) ? ipaddr.parse(literal) : undefined;
}

/** The address a connection would really reach: IPv4 for IPv4-mapped IPv6, the address itself otherwise. */
export function effectiveAddress(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()) return (address as ipaddr.IPv6).toIPv4Address();
  return address;
}

/**
 * Cloud metadata endpoints (AWS/Azure/GCP/Oracle/OpenStack 169.254.169.254, AWS IPv6 fd00:ec2::254,
 * GCP IPv6 fd20:ce::254, AWS ECS 169.254.170.2, Alibaba 100.100.100.200). They hand out the host's
 * cloud credentials, so neither an allow-list entry nor a DNS name may open them.
 */
export const METADATA_ADDRESSES = ["169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254", "fd20:ce::254"] as const;
export const METADATA_HOSTS = ["metadata.google.internal", "metadata.goog", "metadata", "metadata.azure.internal", "instance-data", "instance-data.ec2.internal"] as const;

const metadataParsed = METADATA_ADDRESSES.map((a) => ipaddr.parse(a));

export function isMetadataAddress(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  const inner = address.kind() === "ipv6" ? (embeddedIPv4(address as ipaddr.IPv6) ?? address) : address;
  return metadataParsed.some((m) => m.kind() === inner.kind() && m.toNormalizedString() === inner.toNormalizedString());
}

/** Whether an IP literal (any spelling, including decimal/hex/octal IPv4 and IPv6 embeddings) is public unicast. */
export function classifyAddress(ip: string): AddressVerdict {
  const address = parseIp(ip);
  if (!address) return { allowed: false, range: "invalid" };
  if (address.kind() === "ipv4") {
    const range = address.range();
    return { allowed: range === "unicast", range };
  }
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  if (range === "rfc6052" && !isZero(v6.toByteArray().slice(4, 12))) return { allowed: false, range: "nat64Local" };
  const inner = embeddedIPv4(v6);
  if (inner) {
    const innerRange = inner.range();
    if (innerRange !== "unicast") return { allowed: false, range: innerRange };
    // ::a.b.c.d is deprecated (RFC 4291) and never used on the internet: nothing legitimate is lost.
    if (range === "unicast" && isZero(v6.toByteArray().slice(0, 12))) return { allowed: false, range: "ipv4Compatible" };
    return { allowed: true, range };
  }
  return { allowed: range === "unicast", range };
}

export function isIpLiteral(host: string): boolean {
  return parseIp(host) !== undefined;
}

