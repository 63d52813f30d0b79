import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cronProblem, nextFireTimes } from "@/lib/triggers/cron";
import { signWebhook, verifyWebhookSignature } from "@/lib/triggers/webhook-signature";

const body = new TextEncoder().encode('{"a":1}');
const headers = (timestamp: string, signature: string) => new Headers({ "x-weft-timestamp": timestamp, "x-weft-signature": signature });

describe("webhook signatures", () => {
  it("are sha256=hex(HMAC-SHA256(secret, timestamp + '.' + body)), as documented", () => {
    const expected = createHmac("sha256", "s3cret").update('1700000000.{"a":1}').digest("hex");
    expect(signWebhook("s3cret", 1700000000, body)).toBe(`sha256=${expected}`);
  });

  it("verify within the tolerance and refuse a stale or future timestamp, another body and malformed headers", () => {
    const now = 1700000000;
    const good = signWebhook("s3cret", now, body);
    expect(verifyWebhookSignature("s3cret", headers(String(now), good), body, 300, now + 299)).toEqual({ ok: true });
    expect(verifyWebhookSignature("s3cret", headers(String(now), good), body, 300, now + 301).ok).toBe(false);
    expect(verifyWebhookSignature("s3cret", headers(String(now), good), body, 300, now - 301).ok).toBe(false);
    expect(verifyWebhookSignature("s3cret", headers(String(now), good), new TextEncoder().encode('{"a":2}'), 300, now).ok).toBe(false);
    expect(verifyWebhookSignature("other", headers(String(now), good), body, 300, now).ok).toBe(false);
    expect(verifyWebhookSignature("s3cret", headers("soon", good), body, 300, now).ok).toBe(false);
    expect(verifyWebhookSignature("s3cret", headers(String(now), good.slice(0, -2)), body, 300, now).ok).toBe(false);
    expect(verifyWebhookSignature("s3cret", new Headers(), body, 300, now).ok).toBe(false);
  });
});

describe("cron", () => {
  it("lists the next times in the schedule's time zone and explains a bad expression or zone", () => {
    const from = new Date("2026-03-27T12:00:00Z");
    const times = nextFireTimes("0 9 * * 1-5", "Europe/Paris", 3, from);
    // 27 March 2026 is a Friday; Paris switches to summer time on Sunday 29 March.
    expect(times.map((t) => t.toISOString())).toEqual(["2026-03-30T07:00:00.000Z", "2026-03-31T07:00:00.000Z", "2026-04-01T07:00:00.000Z"]);
    expect(nextFireTimes("*/2 * * * * *", "UTC", 2, new Date("2026-01-01T00:00:00.500Z")).map((t) => t.toISOString())).toEqual(["2026-01-01T00:00:02.000Z", "2026-01-01T00:00:04.000Z"]);
    expect(cronProblem("0 9 * * 1-5", "Europe/Paris")).toBeNull();
    expect(cronProblem("0 9 * *", "UTC")).toMatch(/five fields/);
    expect(cronProblem("0 25 * * *", "UTC")).toMatch(/invalid/);
    expect(cronProblem("0 9 * * *", "Nowhere/City")).toMatch(/not a time zone/);
  });
});
