import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import { mapCallResult } from "@/lib/tools/mcp/result";
import { CreateMcpSourceSchema, registryToolName, secretNamesOf } from "@/lib/tools/mcp/schema";

describe("MCP call result mapping", () => {
  it("prefers structuredContent", () => {
    expect(mapCallResult({ content: [{ type: "text", text: "5" }], structuredContent: { sum: 5 } }, "s", "add").output).toEqual({ sum: 5 });
  });

  it("joins text parts and parses JSON text", () => {
    expect(mapCallResult({ content: [{ type: "text", text: '{"a":1}' }] }, "s", "t").output).toEqual({ a: 1 });
    expect(mapCallResult({ content: [{ type: "text", text: "hello" }, { type: "text", text: "world" }] }, "s", "t").output).toBe("hello\nworld");
    expect(mapCallResult({ content: [{ type: "text", text: "{not json" }] }, "s", "t").output).toBe("{not json");
  });

  it("summarises binary parts instead of copying them", () => {
    const { output } = mapCallResult({ content: [{ type: "text", text: "chart" }, { type: "image", mimeType: "image/png", data: "AAAA" }] }, "s", "t");
    expect(output).toEqual({ text: "chart", content: [{ type: "text", text: "chart" }, { type: "image", mimeType: "image/png", bytes: 3 }] });
  });

  it("turns isError into a non-retryable tool_error with the server's message", () => {
    let error: unknown;
    try {
      mapCallResult({ isError: true, content: [{ type: "text", text: "Order service down" }] }, "Orders", "lookup");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NodeError);
    expect(error).toMatchObject({ code: "tool_error", retryable: false, message: "Orders → lookup: Order service down" });
  });
});

describe("MCP source settings", () => {
  it("builds name-safe registry names capped at 64", () => {
    expect(registryToolName("orders", "get.order/status")).toBe("orders_get_order_status");
    expect(registryToolName("p", "x".repeat(100))).toHaveLength(64);
  });

  it("collects secret references from values and templates", () => {
    const parsed = CreateMcpSourceSchema.parse({
      name: "x",
      config: { transport: "http", url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer {{ secrets.TOKEN }}", "X-Key": { secret: "KEY" } } },
    });
    expect(secretNamesOf(parsed.config).sort()).toEqual(["KEY", "TOKEN"]);
  });

  it("refuses transport-owned headers and non-http URLs", () => {
    expect(CreateMcpSourceSchema.safeParse({ name: "x", config: { transport: "http", url: "https://a.example/mcp", headers: { "Content-Type": "x" } } }).success).toBe(false);
    expect(CreateMcpSourceSchema.safeParse({ name: "x", config: { transport: "http", url: "file:///etc/passwd" } }).success).toBe(false);
  });
});
