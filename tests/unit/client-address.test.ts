import { describe, expect, it } from "vitest";
import { addressKey, clientAddress, parseAddressRange, parseTrustedProxies } from "@/lib/auth/client-address";
import { EnvSchema } from "@/lib/env";

const trusted = parseTrustedProxies(["10.0.0.0/8", "192.0.2.10", "fd00::/8"]);
const resolve = (xff: string | null, ranges = trusted) => clientAddress(xff, ranges)?.toString() ?? null;

describe("client address from X-Forwarded-For (last hop = socket peer)", () => {
  it("is the peer when the peer is not a trusted proxy, whatever the client prepended", () => {
    expect(resolve("203.0.113.9")).toBe("203.0.113.9");
    expect(resolve("1.1.1.1, 2.2.2.2, 203.0.113.9")).toBe("203.0.113.9");
    expect(resolve("1.1.1.1, 203.0.113.9", [])).toBe("203.0.113.9");
  });

  it("skips trusted proxies from the right and takes the first untrusted hop", () => {
    expect(resolve("198.51.100.7, 10.1.2.3")).toBe("198.51.100.7");
    expect(resolve("6.6.6.6, 198.51.100.7, 192.0.2.10, 10.1.2.3")).toBe("198.51.100.7");
    expect(resolve("2001:db8::5, fd12::1")).toBe("2001:db8::5");
  });

  it("is the left-most hop when every hop is trusted, and null for an empty or broken chain", () => {
    expect(resolve("10.9.9.9, 10.1.2.3")).toBe("10.9.9.9");
    expect(resolve(null)).toBeNull();
    expect(resolve(" , ")).toBeNull();
    expect(resolve("not-an-ip, 10.1.2.3")).toBeNull();
  });

  it("reads IPv4-mapped IPv6 and ports as proxies write them", () => {
    expect(resolve("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(resolve("203.0.113.9:51234")).toBe("203.0.113.9");
    expect(resolve("[2001:db8::1]:443")).toBe("2001:db8::1");
  });

  it("keys IPv6 clients by their /64 so one host cannot rotate through its prefix", () => {
    const a = clientAddress("2001:db8:1:2::aaaa", []);
    const b = clientAddress("2001:db8:1:2:ffff::1", []);
    expect(addressKey(a)).toBe(addressKey(b));
    expect(addressKey(a)).toBe("2001:db8:1:2::/64");
    expect(addressKey(clientAddress("203.0.113.9", []))).toBe("203.0.113.9");
    expect(addressKey(null)).toBe("unknown");
  });
});

describe("WEFT_TRUSTED_PROXIES", () => {
  const base = { WEFT_SECRET_KEYS: "k:x", BETTER_AUTH_SECRET: "0123456789abcdef0123" };

  it("accepts IPs and CIDR ranges, comma-separated, and defaults to none", () => {
    expect(EnvSchema.parse({ ...base, WEFT_TRUSTED_PROXIES: "10.0.0.0/8, 127.0.0.1,::1,fd00::/8" }).WEFT_TRUSTED_PROXIES).toEqual([
      "10.0.0.0/8",
      "127.0.0.1",
      "::1",
      "fd00::/8",
    ]);
    expect(EnvSchema.parse(base).WEFT_TRUSTED_PROXIES).toEqual([]);
  });

  it("refuses anything else with a message naming the variable", () => {
    for (const bad of ["localhost", "10.0.0.0/33", "10.1", "0x7f.0.0.1", "10.0.0.0/8/1", "fd00::/129"]) {
      const parsed = EnvSchema.safeParse({ ...base, WEFT_TRUSTED_PROXIES: bad });
      expect(parsed.success, bad).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(["WEFT_TRUSTED_PROXIES", 0]);
    }
    expect(parseAddressRange("10.0.0.0/8")).not.toBeNull();
  });

  it("turns the auth rate limits on unless WEFT_AUTH_RATE_LIMIT=false", () => {
    expect(EnvSchema.parse(base).WEFT_AUTH_RATE_LIMIT).toBe(true);
    expect(EnvSchema.parse({ ...base, NODE_ENV: "test" }).WEFT_AUTH_RATE_LIMIT).toBe(true);
    expect(EnvSchema.parse({ ...base, WEFT_AUTH_RATE_LIMIT: "false" }).WEFT_AUTH_RATE_LIMIT).toBe(false);
  });
});
