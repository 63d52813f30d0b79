import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import { LIMITS } from "@/lib/engine/limits";
import {
  parsePath,
  renderTemplate,
  resolvePath,
  resolveValueTemplate,
  templateReferences,
  templateSyntaxError,
} from "@/lib/engine/template";

const scope = {
  input: { question: "why?" },
  start: { question: "why?", name: "ada", age: 36, tags: ["a", "b"], missing: null },
  llm_1: { text: "hello", json: { items: [{ name: "first" }, { name: "second" }], ok: true } },
};

async function renderError(template: string, s: Record<string, unknown> = scope): Promise<NodeError> {
  const error = await renderTemplate(template, s).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NodeError);
  return error as NodeError;
}

describe("renderTemplate", () => {
  it("renders references, nested paths and array indexes", async () => {
    expect(await renderTemplate("Q: {{ start.question }} / {{ llm_1.json.items[1].name }} / {{ input.question }}", scope)).toBe(
      "Q: why? / second / why?",
    );
  });

  it("renders objects and arrays as JSON, not [object Object]", async () => {
    expect(await renderTemplate("{{ llm_1.json }}", scope)).toBe(JSON.stringify(scope.llm_1.json));
    expect(await renderTemplate("{{ start.tags }}", scope)).toBe('["a","b"]');
    expect(await renderTemplate("{{ llm_1.json.items[0] }}", scope)).toBe('{"name":"first"}');
  });

  it("renders null as empty text and numbers and booleans as text", async () => {
    expect(await renderTemplate("[{{ start.missing }}] {{ start.age }} {{ llm_1.json.ok }}", scope)).toBe("[] 36 true");
  });

  it("applies filters and tags", async () => {
    expect(await renderTemplate("{{ start.name | upcase }}", scope)).toBe("ADA");
    expect(await renderTemplate("{{ start.tags | join: ', ' }}", scope)).toBe("a, b");
    expect(await renderTemplate("{% for t in start.tags %}<{{ t }}>{% endfor %}", scope)).toBe("<a><b>");
    expect(await renderTemplate("{% if start.age > 30 %}old{% else %}young{% endif %}", scope)).toBe("old");
    expect(await renderTemplate('{"q": {{ start.question | json }}}', scope)).toBe('{"q": "why?"}');
  });

  it("names the missing reference in a template_error", async () => {
    const missingField = await renderError("Hi {{ start.foo }}");
    expect(missingField.code).toBe("template_error");
    expect(missingField.message).toBe('Unknown value {{ start.foo }}: start has no field "foo".');
    const missingNode = await renderError("{{ llm_9.text }}");
    expect(missingNode.message).toContain("{{ llm_9 }}");
    expect(missingNode.message).toContain('no node "llm_9"');
    const deep = await renderError("{{ llm_1.json.items[0].nope }}");
    expect(deep.message).toBe(`Unknown value {{ llm_1.json.items[0].nope }}: llm_1.json.items[0] has no field "nope".`);
  });

  it("does not expose prototype properties", async () => {
    const error = await renderError("{{ llm_1.json.constructor }}");
    expect(error.message).toContain("constructor");
    const proto = await renderError("{{ start.__proto__ }}");
    expect(proto.code).toBe("template_error");
  });

  it("rejects unknown filters and syntax errors as template_error", async () => {
    expect((await renderError("{{ start.name | shout }}")).message).toMatch(/syntax error: undefined filter: shout/);
    expect((await renderError("{{ start.name ")).message).toMatch(/syntax error/);
    expect((await renderError("{% if %}")).code).toBe("template_error");
  });

  it("refuses include, render and layout: templates never reach the file system", async () => {
    for (const template of ["{% include 'secrets.txt' %}", "{% render '/etc/passwd' %}", "{% layout 'x' %}", "{% liquid\ninclude 'x' %}"]) {
      const error = await renderError(template);
      expect(error.code).toBe("template_error");
      expect(error.message).toMatch(/is not available in Weft templates/);
    }
  });

  it("stops runaway templates with a limit error", async () => {
    const error = await renderError("{% for i in (1..100000000) %}xxxxxxxxxx{% endfor %}");
    expect(error.message).toMatch(/too much time or memory/);
  });

  it("limits the size of the rendered text", async () => {
    const big = { start: { text: "x".repeat(LIMITS.templateOutputChars / 2 + 1) } };
    const error = await renderError("{{ start.text }}{{ start.text }}", big);
    expect(error.message).toMatch(/characters; the limit is/);
  });
});

describe("resolveValueTemplate", () => {
  it("keeps the type of a single bare reference", async () => {
    expect(await resolveValueTemplate("{{ llm_1.json }}", scope)).toEqual(scope.llm_1.json);
    expect(await resolveValueTemplate("  {{start.age}} ", scope)).toBe(36);
    expect(await resolveValueTemplate("{{ start.tags }}", scope)).toEqual(["a", "b"]);
    expect(await resolveValueTemplate("{{ llm_1.json.ok }}", scope)).toBe(true);
    expect(await resolveValueTemplate("{{ start.missing }}", scope)).toBeNull();
  });

  it("renders anything else as text", async () => {
    expect(await resolveValueTemplate("{{ start.age }} years", scope)).toBe("36 years");
    expect(await resolveValueTemplate("{{ start.age | plus: 1 }}", scope)).toBe("37");
    expect(await resolveValueTemplate("{{ start.tags.size }}", scope)).toBe("2");
    expect(await resolveValueTemplate("plain", scope)).toBe("plain");
  });

  it("fails on a missing bare reference like rendering does", async () => {
    await expect(resolveValueTemplate("{{ start.nope }}", scope)).rejects.toMatchObject({ code: "template_error" });
  });
});

describe("static analysis", () => {
  it("lists the global variable paths a template reads", () => {
    expect(templateReferences("{{ start.question }}")).toEqual([["start", "question"]]);
    expect(templateReferences("{{ llm_1.json.items[0].name }} {{ llm_1.json.items[0].name | upcase }}")).toEqual([
      ["llm_1", "json", "items", "0", "name"],
    ]);
    expect(templateReferences("{% for t in start.tags %}{{ t.name }}{{ forloop.index }}{% endfor %}{% assign z = a.b %}{{ z }}")).toEqual([
      ["start", "tags"],
      ["a", "b"],
    ]);
    expect(templateReferences("no variables")).toEqual([]);
  });

  it("returns no references and a syntax error for broken templates", () => {
    expect(templateReferences("{{ start.question ")).toEqual([]);
    expect(templateSyntaxError("{{ start.question ")).toMatch(/not closed/);
    expect(templateSyntaxError("{% include 'x' %}")).toMatch(/include/);
    expect(templateSyntaxError("{{ start.question | nosuchfilter }}")).toMatch(/undefined filter/);
    expect(templateSyntaxError("{{ start.question }}")).toBeNull();
  });
});

describe("paths", () => {
  it("parses dot, index and quoted segments", () => {
    expect(parsePath("start.age")).toEqual(["start", "age"]);
    expect(parsePath("llm_1.json.items[0].name")).toEqual(["llm_1", "json", "items", "0", "name"]);
    expect(parsePath('a["b c"]')).toEqual(["a", "b c"]);
    expect(parsePath("{{ start.age }}")).toEqual(["start", "age"]);
    expect(parsePath("start.")).toBeNull();
    expect(parsePath("1abc")).toBeNull();
    expect(parsePath("a | upcase")).toBeNull();
  });

  it("resolves own values and returns undefined when missing", () => {
    expect(resolvePath(scope, "start.age")).toBe(36);
    expect(resolvePath(scope, "llm_1.json.items[1].name")).toBe("second");
    expect(resolvePath(scope, "start.missing")).toBeNull();
    expect(resolvePath(scope, "start.nope")).toBeUndefined();
    expect(resolvePath(scope, "nope.x")).toBeUndefined();
    expect(resolvePath(scope, "start.tags.constructor")).toBeUndefined();
    expect(resolvePath(scope, "not a path")).toBeUndefined();
  });
});
