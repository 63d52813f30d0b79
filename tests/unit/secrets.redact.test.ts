import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import { assertSecretEgress, secretsInHop } from "@/lib/secrets/egress";
import { AllowedHostsSchema, hostAllowed } from "@/lib/secrets/hosts";
import { REDACTED, redactSecrets, secretForms } from "@/lib/secrets/redact";

const SECRET = 'p@ss w/"quote"\\ & ü+=';

describe("redactSecrets", () => {
  const encoded = {
    raw: SECRET,
    uri: encodeURIComponent(SECRET),
    form: new URLSearchParams({ k: SECRET }).toString().slice(2),
    json: JSON.stringify(SECRET).slice(1, -1),
    base64: Buffer.from(SECRET).toString("base64"),
    base64url: Buffer.from(SECRET).toString("base64url"),
    hex: Buffer.from(SECRET).toString("hex"),
    basic: `Basic ${Buffer.from(`alice:${SECRET}`).toString("base64")}`,
    basicUrl: Buffer.from(`someone-else:${SECRET}`).toString("base64url"),
  };

  it.each(Object.entries(encoded))("removes the %s form from strings, keys and nested values", (_, form) => {
    const recorded = { text: `before ${form} after`, nested: [{ [`key-${form}`]: form }] };
    const out = JSON.stringify(redactSecrets(recorded, [SECRET]));
    expect(out).not.toContain(form);
    expect(out).toContain(REDACTED);
    expect(out).toContain("before");
  });

  it("redacts a query string as a server echoes it, and a JSON-serialised trace of it", () => {
    const url = new URL("https://api.example.com/x");
    url.searchParams.set("key", SECRET);
    const echoed = JSON.stringify({ url: url.toString(), args: Object.fromEntries(url.searchParams) });
    const out = redactSecrets({ body: echoed, again: JSON.stringify(echoed) }, [SECRET]);
    expect(JSON.stringify(out)).not.toMatch(/p%40ss|p@ss|cEBzcyB3/);
  });

  it("leaves text without secrets, short secrets and non-strings alone", () => {
    const value = { n: 1, ok: true, none: null, text: "plain words and aGVsbG8gd29ybGQ=", when: new Date(0) };
    expect(redactSecrets(value, [SECRET, "abc"])).toEqual(value);
    expect(redactSecrets("abc def", ["abc"])).toBe("abc def");
  });

  it("lists the forms longest first without duplicates", () => {
    const forms = secretForms("token-1234");
    expect(new Set(forms).size).toBe(forms.length);
    expect(forms).toContain("token-1234");
    expect(forms).toContain(Buffer.from("token-1234").toString("base64"));
    expect([...forms].sort((a, b) => b.length - a.length)).toEqual(forms);
  });
});

describe("allowed hosts", () => {
  it("validates entries with messages that say what to type", () => {
    expect(AllowedHostsSchema.parse([" API.Example.com ", "*.example.org", "10.0.0.5:8443", "[fd00::1]:80", "*"])).toEqual([
      "api.example.com",
      "*.example.org",
      "10.0.0.5:8443",
      "[fd00::1]:80",
      "*",
    ]);
    const problems = (entries: string[]) => AllowedHostsSchema.safeParse(entries).error?.issues.map((i) => i.message) ?? [];
    expect(problems([])).toEqual([expect.stringMatching(/at least one host/)]);
    expect(problems(["https://api.example.com/v1"])).toEqual([expect.stringMatching(/is a URL/)]);
    expect(problems(["api.*.com"])).toEqual([expect.stringMatching(/wildcard/)]);
    expect(problems(["api.example.com:99999"])).toEqual([expect.stringMatching(/not a host/)]);
  });

  it("matches exact hosts, ports and subdomain wildcards only", () => {
    const allow = (entries: string[], url: string) => hostAllowed(entries, new URL(url));
    expect(allow(["api.example.com"], "https://api.example.com:8443/x")).toBe(true);
    expect(allow(["api.example.com:443"], "https://api.example.com/x")).toBe(true);
    expect(allow(["api.example.com:443"], "http://api.example.com/x")).toBe(false);
    expect(allow(["*.example.com"], "https://a.b.example.com/")).toBe(true);
    expect(allow(["*.example.com"], "https://example.com/")).toBe(false);
    expect(allow(["*.example.com"], "https://evil-example.com/")).toBe(false);
    expect(allow(["api.example.com"], "https://api.example.com.evil.net/")).toBe(false);
    expect(allow([], "https://api.example.com/")).toBe(false);
    expect(allow(["*"], "https://anything.net/")).toBe(true);
  });
});

describe("secret egress", () => {
  const grant = { name: "API_KEY", value: "key-0123456789", allowedHosts: ["api.example.com"] };
  const hop = (url: string, headers: Record<string, string> = {}, body?: string) => ({ url: new URL(url), method: "POST", headers, body });

  it("finds the secret in the URL, headers and body in any encoded form", () => {
    expect(secretsInHop(hop("https://x.net/?k=key-0123456789"), [grant])).toHaveLength(1);
    expect(secretsInHop(hop("https://x.net/", { authorization: `Basic ${Buffer.from("u:key-0123456789").toString("base64")}` }), [grant])).toHaveLength(1);
    expect(secretsInHop(hop("https://x.net/", {}, JSON.stringify({ k: Buffer.from("key-0123456789").toString("hex") })), [grant])).toHaveLength(1);
    expect(secretsInHop(hop("https://x.net/", { a: "nothing here" }, "plain"), [grant])).toHaveLength(0);
  });

  it("refuses another host with a message naming the secret and the host, and lets the allowed host through", () => {
    expect(() => assertSecretEgress(hop("https://api.example.com/", { "x-api-key": grant.value }), [grant])).not.toThrow();
    let thrown: unknown;
    try {
      assertSecretEgress(hop("https://attacker.net:8080/", { "x-api-key": grant.value }), [grant]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(NodeError);
    expect((thrown as NodeError).code).toBe("secret_denied");
    expect((thrown as NodeError).message).toMatch(/API_KEY may not be sent to attacker\.net:8080/);
    expect(() => assertSecretEgress(hop("https://attacker.net/"), [grant])).not.toThrow();
  });

  it("refuses a legacy secret (no allowed hosts) everywhere, saying how to fix it", () => {
    expect(() => assertSecretEgress(hop("https://api.example.com/", { k: grant.value }), [{ ...grant, allowedHosts: [] }])).toThrow(/no allowed hosts yet/);
  });
});
