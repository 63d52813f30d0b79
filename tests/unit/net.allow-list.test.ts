import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowListProblems, compileAllowList, parseAllowEntry } from "@/lib/net/allow-list";
import { createGuardedFetch, findSsrfError } from "@/lib/net/guarded-fetch";
import { assertSafeUrl, classifyAddress, SsrfError } from "@/lib/net/ssrf";
import { closeServer, listen } from "../fixtures/listen";

/** IPv4 carried inside IPv6 addresses, and the workspace allow-list's grammar, limits and matching. */

describe("IPv6 addresses that carry a non-public IPv4 address", () => {
  it.each([
    ["::7f00:1", "loopback", "IPv4-compatible 127.0.0.1"],
    ["::127.0.0.1", "loopback", "IPv4-compatible, dotted"],
    ["::a9fe:a9fe", "linkLocal", "IPv4-compatible 169.254.169.254 (metadata)"],
    ["::a00:1", "private", "IPv4-compatible 10.0.0.1"],
    ["::101", "unspecified", "IPv4-compatible 0.0.1.1"],
    ["::ffff:7f00:1", "loopback", "IPv4-mapped"],
    ["::ffff:169.254.169.254", "linkLocal", "IPv4-mapped metadata"],
    ["::ffff:0:7f00:1", "loopback", "SIIT / IPv4-translated (RFC 6145)"],
    ["64:ff9b::7f00:1", "loopback", "NAT64 well-known prefix"],
    ["64:ff9b::10.0.0.1", "private", "NAT64, dotted"],
    ["64:ff9b:1::808:808", "nat64Local", "local-use NAT64 (64:ff9b:1::/48)"],
    ["2002:7f00:1::", "loopback", "6to4 of 127.0.0.1"],
    ["2002:a9fe:a9fe::1", "linkLocal", "6to4 of 169.254.169.254"],
    ["2002:c0a8:101::", "private", "6to4 of 192.168.1.1"],
    ["2600:1f00::5efe:a00:1", "private", "ISATAP interface id of 10.0.0.1"],
    ["2600:1f00::200:5efe:7f00:1", "loopback", "ISATAP (universal bit) of 127.0.0.1"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "teredo", "Teredo"],
    ["::808:808", "ipv4Compatible", "IPv4-compatible of a public address (deprecated, never used)"],
  ])("blocks %s (%s): %s", (ip, range) => {
    expect(classifyAddress(ip)).toEqual({ allowed: false, range });
  });

  it.each(["::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "2606:4700:4700::1111", "2600:1f00::5efe:808:808"])("still allows public %s", (ip) => {
    expect(classifyAddress(ip).allowed).toBe(true);
  });

  it("refuses these spellings in URLs before any connection", async () => {
    for (const host of ["[::7f00:1]", "[::a9fe:a9fe]", "[::ffff:0:7f00:1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]"]) {
      await expect(assertSafeUrl(`http://${host}:8080/`, { allowPrivate: false }), host).rejects.toBeInstanceOf(SsrfError);
    }
  });
});

describe("allow-list entries", () => {
  it.each([
    ["api.internal", { kind: "name", name: "api.internal" }],
    ["API.Internal.", { kind: "name", name: "api.internal" }],
    ["db.internal:8443", { kind: "name", name: "db.internal", port: 8443 }],
    ["localhost:4010", { kind: "name", name: "localhost", port: 4010 }],
    ["ollama:11434", { kind: "name", name: "ollama", port: 11434 }],
    ["app_db_1:5000", { kind: "name", name: "app_db_1", port: 5000 }],
    ["127.0.0.1:4010", { kind: "network", port: 4010 }],
    ["10.1.2.3", { kind: "network" }],
    ["[fd12::1]:9000", { kind: "network", port: 9000 }],
    ["fd12::1", { kind: "network" }],
    ["10.0.0.0/8", { kind: "network" }],
    ["192.168.0.0/16", { kind: "network" }],
    ["fd12:3456::/48", { kind: "network" }],
  ])("accepts %s", (entry, expected) => {
    const parsed = parseAllowEntry(entry);
    expect(parsed).toHaveProperty("entry");
    expect((parsed as { entry: unknown }).entry).toMatchObject(expected);
  });

  it.each([
    ["0.0.0.0/0", /too broad: IPv4 networks must be \/8 or narrower/],
    ["::/0", /too broad: IPv6 networks must be \/8 or narrower/],
    ["128.0.0.0/1", /too broad/],
    ["10.0.0.0/7", /too broad/],
    ["fc00::/7", /too broad/],
    ["0.0.0.0/8", /contains 0\.0\.0\.0, which reaches this server itself/],
    ["0.0.0.0", /unspecified address/],
    ["::", /unspecified address/],
    ["169.254.169.254", /cloud metadata endpoint; it can never be allow-listed/],
    ["169.254.169.254:80", /cloud metadata endpoint/],
    ["[::ffff:169.254.169.254]:80", /cloud metadata endpoint/],
    ["::a9fe:a9fe", /cloud metadata endpoint/],
    ["fd00:ec2::254", /cloud metadata endpoint/],
    ["fd20:ce::254", /cloud metadata endpoint/],
    ["100.100.100.200", /cloud metadata endpoint/],
    ["metadata.google.internal", /cloud metadata endpoint/],
    ["metadata.google.internal:80", /cloud metadata endpoint/],
    ["169.254.0.0/16", /contains the cloud metadata endpoint 169\.254\.169\.254/],
    ["fd00::/8", /contains the cloud metadata endpoint fd00:ec2::254/],
    ["::ffff:0:0/96", /embeds IPv4 addresses.*write the IPv4 address or network instead/],
    ["64:ff9b::/96", /embeds IPv4/],
    ["2002::/16", /embeds IPv4/],
    ["::/8", /contains ::, which reaches this server itself/],
    ["::ffff:0:0/104", /embeds IPv4/],
    ["*.internal", /not a host, host:port, IP address or CIDR network/],
    ["not a host!", /not a host/],
    ["http://api.internal", /is a URL; write only the host and port/],
    ["api.internal:0", /port must be between 1 and 65535/],
    ["api.internal:70000", /port must be between 1 and 65535/],
    ["300.1.1.1/8", /not a valid CIDR/],
  ])("refuses %s with a reason", (entry, message) => {
    expect(allowListProblems([entry])).toEqual([expect.stringMatching(message)]);
  });

  it("names every refused entry of a list and accepts a clean one", () => {
    expect(allowListProblems(["ok.example", "10.0.0.0/8", "0.0.0.0/0", "169.254.169.254"])).toHaveLength(2);
    expect(allowListProblems(["ok.example", "10.0.0.0/8", "127.0.0.1:4010"])).toEqual([]);
  });
});

describe("allow-list matching", () => {
  const list = compileAllowList(["api.internal", "db.internal:8443", "10.1.2.3", "127.0.0.1:4010", "192.168.0.0/16", "fd12:3456::/48", "0.0.0.0/0", "169.254.169.254"]);
  const permits = (host: string, port: number, address: string) => list.permits({ host, port, address });

  it("matches names (any address, optionally one port), single addresses (optionally one port) and networks", () => {
    expect(permits("api.internal", 80, "10.9.9.9")).toBe(true);
    expect(permits("API.internal.", 443, "10.9.9.9")).toBe(true);
    expect(permits("db.internal", 8443, "10.9.9.9")).toBe(true);
    expect(permits("db.internal", 443, "10.9.9.9")).toBe(false);
    expect(permits("10.1.2.3", 22, "10.1.2.3")).toBe(true);
    expect(permits("10.1.2.4", 22, "10.1.2.4")).toBe(false);
    expect(permits("127.0.0.1", 4010, "127.0.0.1")).toBe(true);
    expect(permits("127.0.0.1", 4011, "127.0.0.1")).toBe(false);
    expect(permits("127.0.0.2", 4010, "127.0.0.2")).toBe(false);
    expect(permits("svc.lan", 80, "192.168.4.4")).toBe(true);
    expect(permits("[fd12:3456::1]", 80, "fd12:3456::1")).toBe(true);
    expect(permits("fd12:3457::1", 80, "fd12:3457::1")).toBe(false);
  });

  it("matches IPv4 inside IPv6 by the IPv4 address it carries", () => {
    expect(permits("::ffff:192.168.1.1", 80, "::ffff:192.168.1.1")).toBe(true);
    expect(permits("::ffff:7f00:1", 4010, "::ffff:7f00:1")).toBe(true);
    expect(permits("::ffff:7f00:1", 4011, "::ffff:7f00:1")).toBe(false);
  });

  it("ignores refused entries stored before the rules tightened (catch-alls, metadata)", () => {
    expect(permits("10.200.0.1", 80, "10.200.0.1")).toBe(false);
    expect(permits("169.254.169.254", 80, "169.254.169.254")).toBe(false);
  });
});

describe("the guarded fetch with a workspace allow-list", () => {
  let allowed: Server;
  let other: Server;
  let allowedPort: number;
  let otherPort: number;
  const hits = { allowed: 0, other: 0 };

  beforeAll(async () => {
    allowed = createServer((req, res) => {
      hits.allowed++;
      if (req.url === "/to-other") return void res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/secret` }).end();
      if (req.url === "/to-metadata") return void res.writeHead(307, { location: "http://169.254.169.254/latest/meta-data/" }).end();
      if (req.url === "/to-self") return void res.writeHead(302, { location: `http://127.0.0.1:${allowedPort}/ok` }).end();
      res.end("ok");
    });
    other = createServer((_req, res) => {
      hits.other++;
      res.end("canary");
    });
    allowedPort = (await listen(allowed)).port;
    otherPort = (await listen(other)).port;
  });
  afterAll(async () => {
    await closeServer(allowed);
    await closeServer(other);
  });

  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => findSsrfError(error),
    );

  it("reaches the allow-listed host:port, follows redirects to it, and refuses another port of the same address", async () => {
    const guarded = createGuardedFetch({ allowPrivate: false, allowList: [`127.0.0.1:${allowedPort}`] });
    expect(await (await guarded(`http://127.0.0.1:${allowedPort}/ok`)).text()).toBe("ok");
    expect(await (await guarded(`http://127.0.0.1:${allowedPort}/to-self`)).text()).toBe("ok");
    const before = hits.other;
    expect(await refusal(guarded(`http://127.0.0.1:${otherPort}/secret`))).toBeInstanceOf(SsrfError);
    expect(hits.other).toBe(before);
  });

  it("re-checks every redirect hop the fetch follows itself (as LangChain and the MCP SDK do)", async () => {
    const guarded = createGuardedFetch({ allowPrivate: false, allowList: [`127.0.0.1:${allowedPort}`] });
    const before = hits.other;
    expect((await refusal(guarded(`http://127.0.0.1:${allowedPort}/to-other`)))?.message).toMatch(new RegExp(`127\\.0\\.0\\.1.*loopback.*entry 127\\.0\\.0\\.1:${otherPort}`));
    expect((await refusal(guarded(`http://127.0.0.1:${allowedPort}/to-metadata`)))?.message).toMatch(/cloud metadata endpoint \(a link-local address\), which no allow-list can open/);
    expect(hits.other).toBe(before);
  });

  it.each([
    "127.0.0.1",
    "127.1",
    "127.0.1",
    "2130706433",
    "0x7f000001",
    "0x7f.0.0.1",
    "0177.0.0.1",
    "017700000001",
    "127.255.255.254",
    "0.0.0.0",
    "0",
    "localhost",
    "LOCALHOST",
    "localhost.",
    "app.localhost",
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
    "[::]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[0:0:0:0:0:ffff:127.0.0.1]",
    "[::ffff:0:127.0.0.1]",
    "[::7f00:1]",
    "[::127.0.0.1]",
    "[64:ff9b::127.0.0.1]",
    "[2002:7f00:1::1]",
  ])("refuses the loopback spelling %s at connect time, before any byte reaches the server", async (host) => {
    const before = hits.allowed;
    const strict = createGuardedFetch({ allowPrivate: false, allowList: [] });
    expect(await refusal(strict(`http://${host}:${allowedPort}/ok`)), host).toBeInstanceOf(SsrfError);
    await expect(assertSafeUrl(`http://${host}:${allowedPort}/ok`, { allowPrivate: false }), host).rejects.toBeInstanceOf(SsrfError);
    expect(hits.allowed).toBe(before);
  });

  it("refuses metadata names in any case or with a trailing dot, even when the resolver would answer", async () => {
    const resolve = async () => ["10.0.0.9"];
    for (const host of ["metadata.google.internal", "METADATA.google.internal", "metadata.google.internal.", "metadata"]) {
      await expect(assertSafeUrl(`http://${host}/computeMetadata/v1/`, { allowPrivate: false, allowList: ["10.0.0.0/8"], resolve }), host).rejects.toThrow(/cloud metadata endpoint/);
    }
  });

  it("keeps allow-lists apart: another workspace's list opens nothing here", async () => {
    await createGuardedFetch({ allowPrivate: false, allowList: [`127.0.0.1:${otherPort}`] })(`http://127.0.0.1:${otherPort}/`).then((r) => r.text());
    const strict = createGuardedFetch({ allowPrivate: false, allowList: [] });
    expect(await refusal(strict(`http://127.0.0.1:${otherPort}/`))).toBeInstanceOf(SsrfError);
  });

  it("treats localhost as both loopback addresses: an IPv4 entry does not open it, a localhost:port entry does", async () => {
    expect(await refusal(createGuardedFetch({ allowPrivate: false, allowList: [`127.0.0.1:${allowedPort}`] })(`http://localhost:${allowedPort}/ok`))).toBeInstanceOf(SsrfError);
    await expect(assertSafeUrl(`http://localhost:${allowedPort}/`, { allowPrivate: false, allowList: [`127.0.0.1:${allowedPort}`] })).rejects.toThrow(/::1.*loopback/);
    const byName = createGuardedFetch({ allowPrivate: false, allowList: [`localhost:${allowedPort}`] });
    expect(await (await byName(`http://localhost:${allowedPort}/ok`)).text()).toBe("ok");
    expect(await refusal(byName(`http://localhost:${otherPort}/`))).toBeInstanceOf(SsrfError);
  });

  it("checks a name's every address at connect time, with the caller's resolver", async () => {
    const resolve = async (host: string) => (host === "canary.test" ? ["127.0.0.1"] : []);
    const byName = createGuardedFetch({ allowPrivate: false, allowList: [`canary.test:${allowedPort}`], resolve });
    expect(await (await byName(`http://canary.test:${allowedPort}/ok`)).text()).toBe("ok");
    expect(await refusal(byName(`http://canary.test:${otherPort}/`))).toBeInstanceOf(SsrfError);
  });
});
