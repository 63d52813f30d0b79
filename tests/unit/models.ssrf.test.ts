import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGuardedFetch, findSsrfError } from "@/lib/net/guarded-fetch";
import { assertSafeUrl, classifyAddress, SsrfError } from "@/lib/net/ssrf";

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "linkLocal"],
    ["100.64.0.1", "carrierGradeNat"],
    ["0.0.0.0", "unspecified"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["fe80::1", "linkLocal"],
    ["fd00::1", "uniqueLocal"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:a9fe:a9fe", "linkLocal"],
    ["64:ff9b::7f00:1", "loopback"],
    ["2002:c0a8:0101::", "private"],
    ["0x7f000001", "loopback"],
    ["2130706433", "loopback"],
    ["0177.0.0.1", "loopback"],
    ["not-an-ip", "invalid"],
  ])("blocks %s (%s)", (ip, range) => {
    expect(classifyAddress(ip)).toEqual({ allowed: false, range });
  });

  it.each(["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])("allows public %s", (ip) => {
    expect(classifyAddress(ip).allowed).toBe(true);
  });
});

describe("assertSafeUrl", () => {
  const resolveTo = (addresses: string[]) => async () => addresses;

  it("blocks loopback in every IPv4 spelling the URL parser normalises", async () => {
    for (const url of ["http://127.0.0.1/v1", "http://2130706433/", "http://0x7f.1/", "http://0177.0.0.1/", "http://127.1/", "http://[::ffff:7f00:1]/", "http://[::1]:8000/v1"]) {
      await expect(assertSafeUrl(url, { allowPrivate: false }), url).rejects.toBeInstanceOf(SsrfError);
    }
  });

  it("blocks names that resolve to private or metadata addresses, with an explanation", async () => {
    await expect(assertSafeUrl("http://metadata.internal/latest", { allowPrivate: false, resolve: resolveTo(["169.254.169.254"]) })).rejects.toThrow(
      /metadata\.internal \(it resolves to 169\.254\.169\.254\).*cloud metadata endpoint \(a link-local address\), which no allow-list can open/,
    );
    // One bad address among good ones is enough to refuse (the connection could pick it).
    await expect(assertSafeUrl("https://mixed.example/", { allowPrivate: false, resolve: resolveTo(["8.8.8.8", "10.0.0.5"]) })).rejects.toThrow(/10\.0\.0\.5/);
    await expect(assertSafeUrl("http://localhost:11434/v1", { allowPrivate: false, resolve: resolveTo(["8.8.8.8"]) })).rejects.toThrow(/loopback/);
  });

  it("allows public hosts, and private ones when allowed; refuses other schemes and bad URLs", async () => {
    await expect(assertSafeUrl("https://api.example.com/v1", { allowPrivate: false, resolve: resolveTo(["93.184.216.34"]) })).resolves.toBeInstanceOf(URL);
    await expect(assertSafeUrl("http://127.0.0.1:11434/v1", { allowPrivate: true })).resolves.toBeInstanceOf(URL);
    await expect(assertSafeUrl("file:///etc/passwd", { allowPrivate: true })).rejects.toThrow(/Only http and https/);
    await expect(assertSafeUrl("not a url", { allowPrivate: true })).rejects.toThrow(/not a valid URL/);
    await expect(
      assertSafeUrl("https://nowhere.invalid/", { allowPrivate: false, resolve: async () => Promise.reject(new Error("ENOTFOUND")) }),
    ).rejects.toThrow(/could not be resolved/);
  });
});

describe("createGuardedFetch", () => {
  let server: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === "/redirect") {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/ok` }).end();
        return;
      }
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("refuses to connect to loopback by IP or by name, before any byte reaches the server", async () => {
    const before = hits;
    const guarded = createGuardedFetch({ allowPrivate: false });
    for (const url of [`http://127.0.0.1:${port}/ok`, `http://localhost:${port}/ok`]) {
      const error = await guarded(url).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(findSsrfError(error), url).toBeInstanceOf(SsrfError);
    }
    expect(hits).toBe(before);
  });

  it("connects when private networks are allowed, following redirects", async () => {
    const res = await createGuardedFetch({ allowPrivate: true })(`http://localhost:${port}/redirect`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
  });
});
