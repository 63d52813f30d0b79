import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { SecretsManager } from "@/components/settings/secrets-manager";
import { configOf, initialState } from "@/components/tools/tool-form";
import { ToolsManager } from "@/components/tools/tools-manager";
import type { ToolView } from "@/lib/tools/schema";

/** First paint of the Tools page and the Secrets list from server-loaded data. */
const tool = (patch: Partial<ToolView>): ToolView => ({
  id: "t1",
  kind: "http",
  name: "get_weather",
  description: "Weather for a city",
  inputSchema: { type: "object", properties: { city: { type: "string" } } },
  outputSchema: null,
  config: { method: "GET", url: "https://weather.example.com?city={{ city }}", auth: { type: "bearer", secret: "WEATHER" } },
  version: 3,
  enabled: true,
  sourceId: null,
  sourceName: null,
  ownerId: "u1",
  ownerName: "Ada",
  createdAt: "2026-11-29T00:00:00.000Z",
  updatedAt: "2026-11-29T00:00:00.000Z",
  ...patch,
});

describe("Tools page", () => {
  it("lists kind, name, description, version, owner and enabled, with actions by role", () => {
    const tools = [tool({}), tool({ id: "t2", kind: "openapi", name: "listPets", sourceName: "Petstore", version: 1, enabled: false })];
    const html = renderToStaticMarkup(h(ToolsManager, { initialTools: tools, canManage: true, canTest: true }));
    expect(html).toContain("get_weather");
    expect(html).toContain("v3");
    expect(html).toContain("Ada");
    expect(html).toContain("from Petstore");
    expect(html).toContain('aria-label="Edit get_weather"');
    // Imported tools are edited through their source.
    expect(html).not.toContain('aria-label="Edit listPets"');
    expect(html).toContain("Import OpenAPI");

    const viewer = renderToStaticMarkup(h(ToolsManager, { initialTools: tools, canManage: false, canTest: false }));
    expect(viewer).not.toContain("Import OpenAPI");
    expect(viewer).not.toContain('aria-label="Test get_weather"');
  });

  it("round-trips an HTTP tool's settings through the edit form's fields", () => {
    const config = {
      method: "POST",
      url: "https://api.example.com/orders/{{ id }}",
      headers: [{ key: "X-Token", value: "{{ secrets.API_TOKEN }}" }],
      query: [{ key: "page", value: "{{ page }}" }],
      bodyMode: "input",
      body: "",
      auth: { type: "apiKey", in: "query", name: "key", secret: "ORDERS" },
      timeoutMs: 15_000,
      response: { mode: "path", path: "data.id" },
    };
    const state = initialState(tool({ config }));
    expect(state.headers).toBe("X-Token: {{ secrets.API_TOKEN }}");
    expect(state.timeoutS).toBe("15");
    expect(configOf(state)).toEqual(config);
    expect(configOf({ ...initialState(null), kind: "code", code: "return {}", timeoutS: "0.5" })).toEqual({ code: "return {}", timeoutMs: 500 });
  });
});

describe("Secrets page", () => {
  const row = {
    id: "s1",
    name: "STRIPE_KEY",
    description: "Payments",
    hint: "4242",
    keyId: "k2",
    allowedHosts: ["api.stripe.com"],
    minRole: null,
    createdById: "u1",
    usedBy: [],
    createdAt: "2026-11-29T00:00:00.000Z",
    updatedAt: "2026-11-29T00:00:00.000Z",
  };
  const render = (secrets: (typeof row | Record<string, unknown>)[]) =>
    renderToStaticMarkup(h(SecretsManager, { initialSecrets: secrets as (typeof row)[], canEdit: true, canDelete: false, userId: "u1", isAdmin: false }));

  it("shows names, masked hints and key ids, never a value field with content", () => {
    const html = render([row]);
    expect(html).toContain("STRIPE_KEY");
    expect(html).toContain("••••4242");
    expect(html).toContain("k2");
    expect(html).toContain('aria-label="Edit STRIPE_KEY"');
    expect(html).not.toContain('aria-label="Delete STRIPE_KEY"');
  });

  it("shows allowed hosts, a locked badge for legacy secrets, an any-host warning, the role and where each secret is used", () => {
    const html = render([
      { ...row, minRole: "admin", usedBy: [{ kind: "workflow", id: "w1", name: "Billing", nodeIds: ["charge"] }, { kind: "tool", id: "t1", name: "stripe_refund" }] },
      { ...row, id: "s2", name: "OLD_KEY", allowedHosts: [] },
      { ...row, id: "s3", name: "OPEN_KEY", allowedHosts: ["*"] },
    ]);
    expect(html).toContain("api.stripe.com");
    expect(html).toContain("admin+");
    expect(html).toContain('href="/workflows/w1"');
    expect(html).toContain("(charge)");
    expect(html).toContain("stripe_refund");
    expect(html).toContain("Locked: set allowed hosts");
    expect(html).toContain("Any host");
    expect(html).toContain("Not used");
  });
});
