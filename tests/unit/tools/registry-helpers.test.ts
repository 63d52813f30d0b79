import { describe, expect, it } from "vitest";
import { renderWithSecrets, secretRefNames, stripSecretRefs } from "@/lib/secrets/refs";
import { inputSchemaProblems, validateAgainstSchema } from "@/lib/tools/json-schema";
import { allowListMatcher, allowListProblems } from "@/lib/tools/net";

describe("secret references", () => {
  it("finds, strips and resolves {{ secrets.NAME }} without parsing the value as a template", async () => {
    const template = "Bearer {{ secrets.API_TOKEN }} for {{ start.user }} ({{secrets.API_TOKEN}})";
    expect(secretRefNames(template)).toEqual(["API_TOKEN"]);
    expect(stripSecretRefs(template)).toBe("Bearer  for {{ start.user }} ()");
    const rendered: string[] = [];
    const out = await renderWithSecrets(
      template,
      async (chunk) => {
        rendered.push(chunk);
        return chunk.replace("{{ start.user }}", "ada");
      },
      async (name) => `<${name}:{{ not a template }}>`,
    );
    expect(out).toBe("Bearer <API_TOKEN:{{ not a template }}> for ada (<API_TOKEN:{{ not a template }}>)");
    expect(rendered.join("|")).not.toContain("secrets");
  });
});

describe("tool input schemas", () => {
  it("accepts object schemas and names what is wrong with others", () => {
    expect(inputSchemaProblems({ type: "object", properties: { type: { type: "string" } } })).toEqual([]);
    expect(inputSchemaProblems({ type: "string" })[0]).toMatch(/"type": "object"/);
    expect(inputSchemaProblems([])[0]).toMatch(/JSON object/);
    expect(inputSchemaProblems({ type: "object", properties: { a: { type: "strng" } } })[0]).toMatch(/properties\.a has the unknown type "strng"/);
  });

  it("reports where an input breaks the schema", () => {
    const schema = { type: "object", properties: { n: { type: "integer" }, tags: { type: "array", items: { type: "string" } } }, required: ["n"] };
    expect(validateAgainstSchema(schema, { n: 1, tags: ["a"] })).toEqual([]);
    const problems = validateAgainstSchema(schema, { tags: [3] });
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(["", "tags.0"]));
  });
});

describe("the tools allow-list", () => {
  const resolveTo = (map: Record<string, string[]>) => async (host: string) => map[host] ?? [];

  it("matches hosts, host:port, IPs, CIDRs and names resolving into an allowed network", async () => {
    const allowed = allowListMatcher(["api.internal", "db.internal:8443", "10.1.2.3", "192.168.0.0/16", "fd00::/8"], resolveTo({ "svc.lan": ["192.168.4.4"], "mixed.lan": ["192.168.4.4", "10.9.9.9"] }));
    expect(await allowed(new URL("http://api.internal/x"))).toBe(true);
    expect(await allowed(new URL("https://db.internal:8443/"))).toBe(true);
    expect(await allowed(new URL("https://db.internal/"))).toBe(false);
    expect(await allowed(new URL("http://10.1.2.3/"))).toBe(true);
    expect(await allowed(new URL("http://10.1.2.4/"))).toBe(false);
    expect(await allowed(new URL("http://192.168.7.1/"))).toBe(true);
    expect(await allowed(new URL("http://[::ffff:192.168.1.1]/"))).toBe(true);
    expect(await allowed(new URL("http://[fd12::1]/"))).toBe(true);
    expect(await allowed(new URL("http://svc.lan/"))).toBe(true);
    // One address outside the allowed networks (and not public) is enough to refuse.
    expect(await allowed(new URL("http://mixed.lan/"))).toBe(false);
    expect(await allowed(new URL("http://169.254.169.254/"))).toBe(false);
  });

  it("refuses entries that are not hosts, IPs or CIDRs", () => {
    expect(() => allowListProblems(["ok.example", "10.0.0.0/8", "not valid!", "300.1.1.1/8"])).toThrow(/not valid!, 300\.1\.1\.1\/8/);
  });
});
