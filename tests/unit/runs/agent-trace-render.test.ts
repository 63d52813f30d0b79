import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AgentTrace } from "@/components/runs/agent-trace";
import { AgentDetailSchema } from "@/lib/nodes/agent/trace";

/** An Agent's tool-call record shows how a person decided, the call's progress and what its MCP server asked. */

const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15 };
const detail = AgentDetailSchema.parse({
  agent: true,
  model: "test-model",
  tools: [{ id: "t1", name: "orders_cancel", kind: "mcp" }],
  maxIterations: 3,
  stopReason: "answer",
  usage,
  turns: [
    {
      iteration: 1,
      model: "test-model",
      messagesIn: [{ role: "user", content: "Cancel A-1" }],
      text: "",
      finishReason: "tool_calls",
      usage,
      startedAt: new Date(0).toISOString(),
      durationMs: 5,
      toolCalls: [
        {
          id: "c1",
          callIndex: 0,
          name: "orders_cancel",
          toolId: "t1",
          args: { orderId: "A-1" },
          status: "error",
          error: { code: "tool_error", message: "Ann rejected the tool call: keep it" },
          approval: { status: "answered", decision: "reject", by: "Ann", comment: "keep it" },
        },
        {
          id: "c2",
          callIndex: 1,
          name: "orders_export",
          toolId: "t2",
          args: {},
          status: "ok",
          result: "done",
          progress: [{ progress: 1, total: 2, message: "half" }, { progress: 2, total: 2, message: "all" }],
          serverRequests: { sampling: { requests: [{ model: "test-model" }], usage } },
        },
      ],
    },
  ],
});

describe("Agent trace: approvals, progress, server requests", () => {
  it("renders the decision, the last progress report and the server's requests", () => {
    const html = renderToStaticMarkup(h(AgentTrace, { detail, output: {} }));
    expect(html).toContain('data-decision="reject"');
    expect(html).toContain("Rejected</span> by Ann: keep it");
    expect(html).toContain("Progress: 2 reports, last 2/2 all");
    expect(html).toContain('data-testid="agent-tool-server-requests"');
    expect(html).toContain("test-model");
  });
});
