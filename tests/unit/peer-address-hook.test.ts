import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installPeerAddressHook } from "@/lib/auth/peer-address-hook";

let server: http.Server;
let url: string;

beforeAll(async () => {
  // Created BEFORE the hook is installed, as Next creates its server before instrumentation runs.
  server = http.createServer((request, response) => {
    response.end(JSON.stringify({ forwardedFor: request.headers["x-forwarded-for"] ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  installPeerAddressHook();
  installPeerAddressHook(); // idempotent: the peer must be appended once, not twice
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function forwardedFor(headers: Record<string, string> = {}): Promise<string | null> {
  const response = await fetch(url, { headers });
  return ((await response.json()) as { forwardedFor: string | null }).forwardedFor;
}

describe("peer address hook", () => {
  it("sets X-Forwarded-For to the socket's peer when the client sent none", async () => {
    expect(await forwardedFor()).toBe("127.0.0.1");
  });

  it("appends the peer to a client-sent X-Forwarded-For instead of trusting it", async () => {
    expect(await forwardedFor({ "x-forwarded-for": "6.6.6.6" })).toBe("6.6.6.6, 127.0.0.1");
    expect(await forwardedFor({ "x-forwarded-for": "1.1.1.1, 2.2.2.2" })).toBe("1.1.1.1, 2.2.2.2, 127.0.0.1");
  });
});
