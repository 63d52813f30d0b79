import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { McpServersSection } from "@/components/tools/mcp/mcp-servers-section";
import { emptyRows, StdioFields } from "@/components/tools/mcp/stdio-fields";
import type { McpSourceView, McpStdioOptions } from "@/lib/tools/mcp/schema";

/** First paint of the Tools page's MCP section from a server-loaded list. */

const base = {
  toolPrefix: "orders",
  createdAt: "2026-11-29T00:00:00.000Z",
  updatedAt: "2026-11-29T00:00:00.000Z",
  liveHere: false,
  transport: null,
  lastConnectedAt: null,
  lastErrorAt: null,
};
const sources: McpSourceView[] = [
  {
    ...base,
    id: "s1",
    name: "Orders",
    config: { transport: "stdio", serverId: "orders", env: { TOKEN: { secret: "ORDERS_TOKEN" } } },
    status: "connected",
    transport: "stdio",
    lastConnectedAt: "2026-11-29T00:10:00.000Z",
    lastSyncedAt: "2026-11-29T00:10:00.000Z",
    lastError: null,
    tools: [{ id: "t1", name: "orders_lookup_order", toolName: "lookup_order", description: "Looks an order up", inputSchema: { type: "object", properties: { orderId: { type: "string" } } }, enabled: true, annotations: { title: "Look up an order", readOnlyHint: true }, requireApproval: false },
      { id: "t2", name: "orders_cancel_order", toolName: "cancel_order", description: "Cancels an order", inputSchema: { type: "object" }, enabled: true, annotations: { destructiveHint: true, idempotentHint: true }, requireApproval: true },
    ],
  },
  {
    ...base,
    id: "s2",
    name: "Remote",
    toolPrefix: "remote",
    config: { transport: "http", url: "https://legacy.example.com/sse", headers: {} },
    status: "connected",
    transport: "sse",
    lastConnectedAt: "2026-11-29T00:12:00.000Z",
    lastSyncedAt: "2026-11-29T00:12:00.000Z",
    lastError: null,
    tools: [],
  },
  {
    ...base,
    id: "s4",
    name: "Remote failing",
    toolPrefix: "remote",
    config: { transport: "http", url: "https://mcp.example.com/mcp", headers: {} },
    status: "error",
    lastErrorAt: "2026-11-29T00:20:00.000Z",
    lastSyncedAt: null,
    lastError: "Could not connect to the MCP server at https://mcp.example.com/mcp (HTTP 401)",
    tools: [],
  },
  {
    ...base,
    id: "s3",
    name: "Old command",
    toolPrefix: "old",
    // Stored before stdio servers became the operator's decision.
    config: { transport: "stdio", command: "bash", args: ["-c", "cat /etc/passwd"], env: {} },
    status: "error",
    lastSyncedAt: null,
    lastError: 'The MCP server "Old command" is not allowed by the operator: its command ("bash") was chosen by a workspace.',
    tools: [],
  },
];
const stdio: McpStdioOptions = { enabled: true, problem: null, servers: [{ id: "orders", label: "Orders (npx @acme/orders-mcp)", allowedEnv: ["TOKEN"] }] };
const stdioOff: McpStdioOptions = { enabled: false, problem: null, servers: [] };

describe("MCP servers section", () => {
  it("shows each server's transport, status, error, tools and actions", () => {
    const html = renderToStaticMarkup(h(McpServersSection, { canManage: true, initialSources: sources, initialStdio: stdio }));
    // A stdio source shows the operator's label for the server it picked.
    expect(html).toContain("Orders (npx @acme/orders-mcp)");
    expect(html).toContain("Connected");
    expect(html).toContain("orders_lookup_order");
    expect(html).toContain("Refresh tools");
    expect(html).toContain("https://mcp.example.com/mcp");
    expect(html).toContain("Error");
    expect(html).toContain("(HTTP 401)");
    // The status comes with when it was last seen, and an HTTP server says which transport it speaks.
    expect(html).toMatch(/data-testid="mcp-status" data-source="s4" title="Last error at [^"]*\(HTTP 401\)/);
    expect(html).toContain("legacy HTTP+SSE");
    // Annotations and the per-tool approval setting.
    expect(html).toContain("Look up an order");
    expect(html).toMatch(/data-testid="mcp-tool-annotation"[^>]*>read-only</);
    expect(html).toMatch(/data-testid="mcp-tool-annotation"[^>]*>destructive</);
    expect(html).toContain("recommended: the server marks it destructive");
    expect(html.match(/data-testid="mcp-tool-require-approval"/g)).toHaveLength(2);
    expect(html).toMatch(/data-testid="mcp-tool-require-approval" checked=""/);
    // Never listed: Connect is offered instead of Refresh.
    expect(html.match(/>Connect</g)).toHaveLength(2);
    expect(html).toContain("bash -c cat /etc/passwd (not allowed by the operator)");
    expect(html).not.toContain("stdio servers are off");
  });

  it("explains that stdio servers are off when the operator allows none", () => {
    const html = renderToStaticMarkup(h(McpServersSection, { canManage: true, initialSources: [], initialStdio: stdioOff }));
    expect(html).toContain("stdio servers are off on this instance");
    expect(html).toContain("WEFT_MCP_STDIO_SERVERS");
    const broken = renderToStaticMarkup(h(McpServersSection, { canManage: true, initialSources: [], initialStdio: { ...stdioOff, problem: "WEFT_MCP_STDIO_CONFIG (/etc/weft/mcp.json) cannot be read" } }));
    expect(broken).toContain("stdio servers are off: WEFT_MCP_STDIO_CONFIG (/etc/weft/mcp.json) cannot be read");
  });

  it("tells non-developers why there is nothing to manage", () => {
    const html = renderToStaticMarkup(h(McpServersSection, { canManage: false }));
    expect(html).toContain("needs the developer role");
    expect(html).not.toContain("Register server");
  });
});

describe("register form, stdio part", () => {
  it("is a picker over the operator's servers with their accepted variables, never a command field", () => {
    const html = renderToStaticMarkup(
      h(StdioFields, { stdio, serverId: "orders", env: emptyRows(["TOKEN"]), onPick: () => undefined, onEnvChange: () => undefined }),
    );
    // Radix renders the options only in the browser; the picker itself and what it implies are here.
    expect(html).toContain('aria-label="Server"');
    expect(html).toContain("The operator decides which programs run");
    expect(html).toContain("It accepts: TOKEN.");
    expect(html).toContain('value="TOKEN"');
    expect(html).not.toMatch(/Command|Arguments/);
  });
});
