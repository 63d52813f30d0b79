import { describe, expect, it, vi } from "vitest";
import { EnvSchema } from "@/lib/env";
import { prepared } from "@/lib/db/prepared";

vi.hoisted(() => {
  process.env.WEFT_SECRET_KEYS ??= "k:x";
  process.env.BETTER_AUTH_SECRET ??= "0123456789abcdef";
});

const required = { WEFT_SECRET_KEYS: "k:x", BETTER_AUTH_SECRET: "0123456789abcdef" };

describe("prepared statements", () => {
  it("sends the statement with its name, its text and the call's values", () => {
    const statement = prepared("test_lookup", "SELECT $1::int AS x");
    expect(statement([7])).toEqual({ name: "weft_test_lookup", text: "SELECT $1::int AS x", values: [7] });
    expect(statement([8]).values).toEqual([8]);
  });

  it("refuses a second text under a name already taken (pg would fail on the connection instead)", () => {
    prepared("test_taken", "SELECT 1");
    expect(prepared("test_taken", "SELECT 1")([]).text).toBe("SELECT 1");
    expect(() => prepared("test_taken", "SELECT 2")).toThrow(/both named test_taken/);
  });

  it("are on unless WEFT_DB_PREPARED_STATEMENTS=off", () => {
    expect(EnvSchema.parse(required).WEFT_DB_PREPARED_STATEMENTS).toBe(true);
    expect(EnvSchema.parse({ ...required, WEFT_DB_PREPARED_STATEMENTS: "off" }).WEFT_DB_PREPARED_STATEMENTS).toBe(false);
    expect(() => EnvSchema.parse({ ...required, WEFT_DB_PREPARED_STATEMENTS: "no" })).toThrow();
  });
});
