import { describe, expect, it } from "vitest";
import { backoffMs, withRetry } from "@/lib/db/retry";
import { isDatabaseFault, isTransientError } from "@/lib/db/transient";

/** Errors shaped like those pg, Node, Prisma's pg adapter and ioredis throw. */
const pgError = (code: string, message = "x") => Object.assign(new Error(message), { code, severity: "FATAL" });
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: "connect", errno: -111 });
const prismaError = (code: string, meta?: object) => Object.assign(new Error("prisma"), { code, meta, clientVersion: "6.19.2" });

describe("isTransientError", () => {
  it.each([
    ["admin shutdown", pgError("57P01", "terminating connection due to administrator command")],
    ["crash shutdown", pgError("57P02")],
    ["cannot connect now", pgError("57P03")],
    ["connection failure", pgError("08006")],
    ["serialization failure", pgError("40001")],
    ["deadlock", pgError("40P01")],
    ["connection refused", socketError("ECONNREFUSED")],
    ["connection reset", socketError("ECONNRESET")],
    ["pg connection lost", new Error("Connection terminated unexpectedly")],
    ["pg-pool connect timeout", new Error("timeout exceeded when trying to connect")],
    ["Prisma can't reach", prismaError("P1001")],
    ["Prisma pool timeout", prismaError("P2024")],
    ["Prisma adapter: closed", prismaError("P2010", { driverAdapterError: { cause: { kind: "ConnectionClosed" } } })],
    ["Prisma adapter: postgres 57P01", prismaError("P2010", { driverAdapterError: { cause: { kind: "postgres", originalCode: "57P01" } } })],
    ["wrapped in cause", new Error("outer", { cause: pgError("57P01") })],
    ["ioredis closed", new Error("Connection is closed.")],
  ])("%s is transient", (_, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ["unique violation", pgError("23505")],
    ["syntax error", pgError("42601")],
    ["Prisma record not found", prismaError("P2025")],
    ["a plain bug", new TypeError("x is undefined")],
    ["a string", "57P01"],
    ["null", null],
  ])("%s is not", (_, error) => {
    expect(isTransientError(error)).toBe(false);
  });

  it("a bare socket error is the database's only where only the database is spoken to", () => {
    expect(isTransientError(socketError("ECONNREFUSED"))).toBe(true);
    // An executor's refused connection may be an HTTP target: the node's failure, not the database's.
    expect(isDatabaseFault(socketError("ECONNREFUSED"))).toBe(false);
    expect(isDatabaseFault(pgError("57P01"))).toBe(true);
    expect(isDatabaseFault(new Error("Connection terminated unexpectedly"))).toBe(true);
  });

  it("survives cycles", () => {
    const error = new Error("loop") as Error & { cause?: unknown };
    error.cause = error;
    expect(isTransientError(error)).toBe(false);
  });
});

describe("withRetry", () => {
  it("retries transient errors with backoff, then succeeds", async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw pgError("57P01");
        return "done";
      },
      { baseDelayMs: 1, onRetry: (_, __, delay) => delays.push(delay) },
    );
    expect(result).toBe("done");
    expect(calls).toBe(3);
    expect(delays).toHaveLength(2);
  });

  it("does not retry other errors", async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw pgError("23505");
      }),
    ).rejects.toMatchObject({ code: "23505" });
    expect(calls).toBe(1);
  });

  it("gives up after the attempts allowed, with the last error", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw pgError("08006");
        },
        { attempts: 4, baseDelayMs: 1 },
      ),
    ).rejects.toMatchObject({ code: "08006" });
    expect(calls).toBe(4);
  });

  it("stops when the signal is aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw pgError("57P01");
        },
        { signal: controller.signal },
      ),
    ).rejects.toBeDefined();
    expect(calls).toBe(1);
  });

  it("backs off exponentially within bounds", () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const bound = Math.min(2_000, 50 * 2 ** (attempt - 1));
      const delay = backoffMs(attempt, 50, 2_000);
      expect(delay).toBeGreaterThanOrEqual(bound / 2 - 1);
      expect(delay).toBeLessThanOrEqual(bound + 1);
    }
  });
});
