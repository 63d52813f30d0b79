import { AsyncLocalStorage } from "node:async_hooks";
import { NextRequest } from "next/server";
import { PHASE_DEVELOPMENT_SERVER, PHASE_PRODUCTION_SERVER } from "next/constants";
import { describe, expect, it } from "vitest";
import nextConfig from "@/next.config";
import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { PATHNAME_HEADER, weftProxy } from "@/lib/auth/proxy";
import { withTransportSecurity } from "@/lib/auth/security-headers";
import { config as proxyConfig } from "@/proxy";

const APP = "http://localhost:3000";

// Next's config-testing helper expects the AsyncLocalStorage global its server runtime installs.
(globalThis as unknown as { AsyncLocalStorage: unknown }).AsyncLocalStorage = AsyncLocalStorage;

/** The headers next.config.ts gives `path`, matched by Next itself. */
async function configuredHeaders(phase: string, path = "/workflows"): Promise<Map<string, string>> {
  const { unstable_getResponseFromNextConfig } = await import("next/experimental/testing/server");
  const response = await unstable_getResponseFromNextConfig({ url: `${APP}${path}`, nextConfig: nextConfig(phase) });
  return new Map([...response.headers.entries()].map(([key, value]) => [key.toLowerCase(), value]));
}

function directives(csp: string): Map<string, string> {
  return new Map(csp.split(";").map((part) => {
    const [name, ...sources] = part.trim().split(/\s+/);
    return [name!, sources.join(" ")];
  }));
}

describe("security headers on every response (next.config.ts)", () => {
  it("sends CSP, framing, sniffing and referrer policies", async () => {
    const headers = await configuredHeaders(PHASE_PRODUCTION_SERVER);
    expect(headers.get("x-frame-options")).toBe("DENY");
    expect(headers.get("x-content-type-options")).toBe("nosniff");
    expect(headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    const csp = directives(headers.get("content-security-policy") ?? "");
    expect(csp.get("frame-ancestors")).toBe("'none'");
    expect(csp.get("default-src")).toBe("'self'");
    expect(csp.get("object-src")).toBe("'none'");
    expect(csp.get("base-uri")).toBe("'self'");
    expect(csp.get("form-action")).toBe("'self'");
    expect(csp.get("connect-src")).toBe("'self'");
    // Next's inline bootstrap scripts and React Flow's inline styles must keep working.
    expect(csp.get("script-src")).toBe("'self' 'unsafe-inline'");
    expect(csp.get("style-src")).toBe("'self' 'unsafe-inline'");
  });

  it("lets only the chat widget's embed page be framed: no X-Frame-Options there, and a CSP that fails closed until proxy.ts sets the app's origins", async () => {
    for (const path of ["/", "/chat/abc", "/chat/abc/embed/x", "/chat/abc/embedded", "/api/chat/abc/embed", "/widget.js"]) {
      const headers = await configuredHeaders(PHASE_PRODUCTION_SERVER, path);
      expect(headers.get("x-frame-options"), path).toBe("DENY");
      expect(directives(headers.get("content-security-policy") ?? "").get("frame-ancestors"), path).toBe("'none'");
    }
    for (const path of ["/chat/abc/embed", "/chat/abc/embed/"]) {
      const headers = await configuredHeaders(PHASE_PRODUCTION_SERVER, path);
      expect(headers.get("x-frame-options"), path).toBeUndefined();
      expect(headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(directives(headers.get("content-security-policy") ?? "").get("frame-ancestors"), path).toBe("'none'");
    }
  });

  it("allows eval and the hot-reload socket only in development", async () => {
    const csp = directives((await configuredHeaders(PHASE_DEVELOPMENT_SERVER)).get("content-security-policy") ?? "");
    expect(csp.get("script-src")).toContain("'unsafe-eval'");
    expect(csp.get("connect-src")).toContain("ws:");
  });
});

describe("proxy.ts", () => {
  const request = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
    new NextRequest(`${APP}${path}`, { method: init.method ?? "GET", headers: init.headers });

  it("adds HSTS only when the app is served over https", () => {
    expect(weftProxy(request("/workflows"), "https://weft.example.com").headers.get("strict-transport-security")).toBe(
      "max-age=63072000; includeSubDomains",
    );
    expect(weftProxy(request("/workflows"), APP).headers.get("strict-transport-security")).toBeNull();
    expect(weftProxy(request("/api/workflows"), "https://weft.example.com").headers.get("strict-transport-security")).not.toBeNull();
  });

  it("runs for pages and /api but not for the public API, which gets HSTS from its route wrapper", () => {
    const matches = (path: string) => unstable_doesMiddlewareMatch({ config: proxyConfig, url: path });
    expect(["/workflows", "/runs/abc", "/api/workflows", "/api/secrets", "/api/auth/sign-in/email", "/api/v1"].filter((p) => !matches(p))).toEqual([]);
    expect(["/api/v1/workflows/w1/runs", "/api/v1/runs/r1", "/api/v1/openapi.json", "/_next/static/x.js"].filter(matches)).toEqual([]);
    // Upload routes skip it (Next would cut their bodies at 10 MB); withMember checks origin and adds HSTS.
    expect(["/api/tools/openapi", "/api/tools/openapi/preview", "/api/knowledge-bases/kb1/documents"].filter(matches)).toEqual([]);
    expect(matches("/api/tools")).toBe(true);
    expect(withTransportSecurity(Response.json({}), "https://weft.example.com").headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
    expect(withTransportSecurity(Response.json({}), APP).headers.get("strict-transport-security")).toBeNull();
  });

  it("refuses a cross-origin POST to an internal API route with a JSON 403", async () => {
    const response = weftProxy(request("/api/workflows", { method: "POST", headers: { origin: "https://evil.example" } }), APP);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: "cross_origin", message: expect.stringContaining("evil.example") } });
    // A sandboxed iframe or data: page sends `Origin: null`.
    expect(weftProxy(request("/api/secrets", { method: "POST", headers: { origin: "null" } }), APP).status).toBe(403);
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      expect(weftProxy(request("/api/workflows/w1", { method, headers: { origin: "https://evil.example" } }), APP).status).toBe(403);
    }
  });

  it("lets same-origin, non-browser, read-only, API-key and better-auth requests through", () => {
    const passes = (response: Response) => expect(response.headers.get("x-middleware-next")).toBe("1");
    passes(weftProxy(request("/api/workflows", { method: "POST", headers: { origin: APP } }), APP));
    passes(weftProxy(request("/api/workflows", { method: "POST" }), APP));
    passes(weftProxy(request("/api/workflows", { headers: { origin: "https://evil.example" } }), APP));
    passes(weftProxy(request("/api/v1/workflows", { method: "POST", headers: { origin: "https://evil.example" } }), APP));
    passes(weftProxy(request("/api/auth/sign-in/email", { method: "POST", headers: { origin: "https://evil.example" } }), APP));
  });

  it("still forwards the requested path to pages", () => {
    const response = weftProxy(request("/runs/abc?x=1"), APP);
    expect(response.headers.get(`x-middleware-request-${PATHNAME_HEADER}`)).toBe("/runs/abc?x=1");
  });
});
