import { describe, expect, it } from "vitest";
import { renderWithSecrets, secretRefNames, stripSecretRefs } from "@/lib/secrets/refs";
import { inputSchemaProblems, validateAgainstSchema } from "@/lib/tools/json-schema";

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
