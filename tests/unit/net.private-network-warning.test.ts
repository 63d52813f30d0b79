import { describe, expect, it, vi } from "vitest";
import { register } from "@/instrumentation";
import { db } from "@/lib/db/client";
import { logger } from "@/lib/log";
import { PRIVATE_NETWORK_WARNING, warnIfPrivateNetworkOpen } from "@/lib/net/private-network-warning";

describe("the WEFT_ALLOW_PRIVATE_NETWORK start-up warning", () => {
  const recorder = () => {
    const lines: { object: object; message: string }[] = [];
    return { lines, log: { warn: (object: object, message: string) => void lines.push({ object, message }) } };
  };

  it("warns, at warn level, that every workspace can reach private networks when the switch is on", () => {
    const { lines, log } = recorder();
    expect(warnIfPrivateNetworkOpen(log, true, "worker")).toBe(true);
    expect(lines).toEqual([{ object: expect.objectContaining({ service: "worker", scope: "every workspace" }), message: PRIVATE_NETWORK_WARNING }]);
    expect(PRIVATE_NETWORK_WARNING).toMatch(/SSRF protection is OFF. Every workspace can reach loopback, private and link-local addresses/);
  });

  it("says nothing when it is off", () => {
    const { lines, log } = recorder();
    expect(warnIfPrivateNetworkOpen(log, false, "web")).toBe(false);
    expect(lines).toEqual([]);
  });
});

// A unit test has no database settings; the hook only loads the client's query compiler.
vi.mock("@/lib/db/client", () => {
  const client = { $connect: vi.fn(async () => undefined) };
  return { db: () => client };
});

describe("the web app's start-up hook (instrumentation.ts)", () => {
  it("loads the database client's query compiler, so the first request does not wait for it", async () => {
    vi.stubEnv("NEXT_RUNTIME", "nodejs");
    const connect = vi.mocked(db().$connect);
    connect.mockClear();
    try {
      await register();
      expect(connect).toHaveBeenCalledTimes(1);
      connect.mockRejectedValueOnce(new Error("the compiler did not load"));
      await expect(register()).resolves.toBeUndefined();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("logs the warning through the shared logger when the switch is on, and nothing when it is off", async () => {
    const warn = vi.spyOn(logger, "warn").mockImplementation(() => undefined);
    vi.stubEnv("NEXT_RUNTIME", "nodejs");
    try {
      vi.stubEnv("WEFT_ALLOW_PRIVATE_NETWORK", "true");
      await register();
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ service: "web" }), PRIVATE_NETWORK_WARNING);
      warn.mockClear();
      vi.stubEnv("WEFT_ALLOW_PRIVATE_NETWORK", "false");
      await register();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      vi.unstubAllEnvs();
      warn.mockRestore();
    }
  });
});
