import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { API_SCOPES, SCOPE_ACTIONS, scopeFor, scopesAllowedFor } from "@/lib/api-keys/scopes";
import { ROLES, hasRole } from "@/lib/auth/member";
import { ACTIONS, PERMISSIONS, can, refusalMessage, requirePermission } from "@/lib/auth/permissions";
import { findJsonInputProblem } from "@/lib/http/json-input";
import { RouteIdSchema } from "@/lib/http/route";

describe("the permission table", () => {
  it("can() is exactly 'role at least the action's minimum', so a higher role never loses an action", () => {
    for (const action of ACTIONS) {
      for (const role of ROLES) expect(can(role, action), `${role} ${action}`).toBe(hasRole(role, PERMISSIONS[action].minimum));
      expect(can("owner", action)).toBe(true);
    }
  });

  it("decides the documented cases: developers publish, editors build and run, admins delete secrets and edit the allow-list", () => {
    expect(can("editor", "workflow.publish")).toBe(false);
    expect(can("developer", "workflow.publish")).toBe(true);
    expect(can("editor", "workflow.edit")).toBe(true);
    expect(can("viewer", "workflow.edit")).toBe(false);
    expect(can("editor", "run.start")).toBe(true);
    expect(can("developer", "secret.delete")).toBe(false);
    expect(can("admin", "settings.network.edit")).toBe(true);
    expect(can("developer", "settings.network.edit")).toBe(false);
  });

  it("refuses with a message naming the action, its minimum role and the caller's role", () => {
    expect(refusalMessage("editor", "workflow.publish")).toBe("Publish a draft as a new version needs the developer role or higher (workflow.publish); you are editor.");
    expect(() => requirePermission({ role: "viewer" }, "run.start")).toThrow(/editor role or higher \(run\.start\); you are viewer/);
    expect(() => requirePermission({ role: "editor" }, "run.start")).not.toThrow();
  });
});

describe("docs/security.md", () => {
  it("lists every action of the table with its minimum role, and nothing else", () => {
    const doc = readFileSync(new URL("../../docs/security.md", import.meta.url), "utf8");
    const rows = [...doc.matchAll(/^\| `([a-zA-Z.]+)` \| (\w+) \| (.+) \|$/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual(ACTIONS.map((action) => [action, PERMISSIONS[action].minimum, PERMISSIONS[action].label]));
  });
});

describe("API key scopes map to actions", () => {
  it("every scope grants at least one action and each action belongs to at most one scope", () => {
    const seen = new Set<string>();
    for (const scope of API_SCOPES) {
      expect(SCOPE_ACTIONS[scope].length).toBeGreaterThan(0);
      for (const action of SCOPE_ACTIONS[scope]) {
        expect(seen.has(action), action).toBe(false);
        seen.add(action);
        expect(scopeFor(action)).toBe(scope);
      }
    }
    expect(scopeFor("secret.delete")).toBeNull();
  });

  it("a role may put on a key only scopes whose actions it may take", () => {
    expect(scopesAllowedFor("viewer")).toEqual(["workflows:read", "runs:read", "tools:read", "knowledge:read"]);
    expect(scopesAllowedFor("editor")).not.toContain("tools:write");
    expect(scopesAllowedFor("editor")).not.toContain("knowledge:write");
    expect(scopesAllowedFor("developer")).toEqual([...API_SCOPES]);
  });
});

describe("request input checks", () => {
  it("path ids: letters, digits, - and _ only", () => {
    expect(RouteIdSchema.safeParse("3f1c2d4e-0000-4000-8000-000000000000").success).toBe(true);
    for (const bad of ["", "\u0000", "%E0%A4%A", "\uD800", "a b", "x".repeat(129), "../etc"]) expect(RouteIdSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it("finds NUL and lone surrogates in values and keys, with their path", () => {
    expect(findJsonInputProblem({ a: [{ b: "ok" }, { c: "x\u0000" }] })).toMatchObject({ path: "a.1.c", message: expect.stringMatching(/NUL/) });
    expect(findJsonInputProblem({ ["k\u0000"]: 1 })).toMatchObject({ path: "k\u0000", message: expect.stringMatching(/key/) });
    expect(findJsonInputProblem({ s: "\uD800" })).toMatchObject({ path: "s", message: expect.stringMatching(/surrogate/) });
    expect(findJsonInputProblem({ s: "\uDC00x" })).toMatchObject({ message: expect.stringMatching(/surrogate/) });
    expect(findJsonInputProblem({ s: "emoji 😀 and 中文" })).toBeNull();
  });

  it("refuses nesting past the limit without recursing", () => {
    const nest = (n: number): unknown => Array.from({ length: n }).reduce<unknown>((inner) => [inner], 1);
    expect(findJsonInputProblem(nest(10), 10)).toBeNull();
    expect(findJsonInputProblem(nest(11), 10)).toMatchObject({ message: "The body nests deeper than 10 levels." });
    expect(findJsonInputProblem(nest(100_000))).toMatchObject({ message: expect.stringMatching(/deeper than 64/) });
  });
});
