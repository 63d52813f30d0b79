import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { NodeResult } from "@/lib/engine/node-kit";
import type { ToolDescriptor, ToolInvocation, ToolPort } from "@/lib/engine/ports";
import { ToolConfigSchema, toolNode } from "@/lib/nodes/tool/definition";
import { executeTool } from "@/lib/nodes/tool/execute";
import { configForTool, schemaProperties } from "@/lib/nodes/tool/schema-form";
import { nodeContext } from "./context";

const descriptor: ToolDescriptor = {
  id: "tool_1",
  name: "create_ticket",
  description: "Opens a ticket",
  kind: "http",
  inputSchema: {
    type: "object",
    properties: { title: { type: "string", description: "Short title" }, priority: { type: "integer" }, urgent: { type: "boolean" }, tags: { type: "array" }, note: { type: "string" } },
    required: ["title"],
  },
  outputSchema: { type: "object", properties: { id: { type: "number" }, url: { type: "string" } } },
};

function port(output: unknown = { id: 7, url: "https://t/7", extra: true }) {
  const calls: ToolInvocation[] = [];
  const tools: ToolPort = {
    describe: async (ids) => {
      if (!ids.includes(descriptor.id)) throw new NodeError("tool_not_found", `Tool ${ids.join(", ")} does not exist in this workspace.`);
      return [descriptor];
    },
    call: async (invocation) => {
      calls.push(invocation);
      if (output instanceof Error) throw output;
      return { output, durationMs: 12, detail: { status: 201 } };
    },
  };
  return { tools, calls };
}

const config = ToolConfigSchema.parse({
  toolId: "tool_1",
  toolName: "create_ticket",
  inputs: [
    { name: "title", value: "Bug from {{ start.user }}", required: true },
    { name: "priority", value: "{{ start.level }}" },
    { name: "urgent", value: "yes" },
    { name: "tags", value: "{{ start.tags }}" },
    { name: "note", value: "" },
  ],
  outputs: [
    { name: "id", type: "number" },
    { name: "url", type: "string" },
  ],
});
const scope = { start: { user: "Ada", level: "2", tags: ["ui"] } };

describe("tool definition and form", () => {
  it("publishes result plus the output schema's fields, and asks for a tool and required inputs", () => {
    expect(toolNode.outputFields(config).map((f) => [f.name, f.type])).toEqual([
      ["result", "any"],
      ["id", "number"],
      ["url", "string"],
    ]);
    expect(toolNode.check!(ToolConfigSchema.parse({}))).toEqual(["Choose a tool."]);
    expect(toolNode.check!({ ...config, inputs: [{ name: "title", value: " ", required: true }] })).toEqual(['The tool needs a value for "title".']);
  });

  it("builds the inputs from the tool's input schema, keeping values already typed", () => {
    expect(schemaProperties(descriptor.inputSchema)[0]).toEqual({ name: "title", type: "string", description: "Short title", required: true });
    const next = configForTool(
      { ...descriptor, enabled: true, outputSchema: descriptor.outputSchema ?? null },
      ToolConfigSchema.parse({ toolId: "old", inputs: [{ name: "title", value: "kept" }, { name: "gone", value: "x" }] }),
    );
    expect(next.inputs.map((i) => [i.name, i.value, i.required])).toEqual([
      ["title", "kept", true],
      ["priority", "", false],
      ["urgent", "", false],
      ["tags", "", false],
      ["note", "", false],
    ]);
    expect(next.outputs).toEqual([
      { name: "id", type: "number" },
      { name: "url", type: "string" },
    ]);
    expect(next).toMatchObject({ toolId: "tool_1", toolName: "create_ticket" });
  });
});

describe("tool executor", () => {
  it("renders and types the inputs, calls the tool with the step's key, and publishes result and fields", async () => {
    const { tools, calls } = port();
    const result = (await executeTool(nodeContext(config, scope, { tools }))) as NodeResult;
    expect(calls).toEqual([
      {
        toolId: "tool_1",
        input: { title: "Bug from Ada", priority: 2, urgent: true, tags: ["ui"] },
        signal: expect.any(AbortSignal),
        idempotencyKey: "run_1:node_1:0",
        onProgress: expect.any(Function),
        step: { runId: "run_1", nodeId: "node_1", iteration: 0, slot: "call" },
      },
    ]);
    expect(result.output).toEqual({ result: { id: 7, url: "https://t/7", extra: true }, id: 7, url: "https://t/7" });
    expect(result.detail).toEqual({ tool: { id: "tool_1", name: "create_ticket", kind: "http" }, durationMs: 12, call: { status: 201 } });
  });

  it("sets declared fields to null when the tool returns something else", async () => {
    const { tools } = port("plain text");
    const result = (await executeTool(nodeContext(config, scope, { tools }))) as NodeResult;
    expect(result.output).toEqual({ result: "plain text", id: null, url: null });
  });

  it("keeps the input on a failed call and passes the tool's error code", async () => {
    const { tools } = port(new NodeError("tool_unavailable", "The service answered 503."));
    const error = (await executeTool(nodeContext(config, scope, { tools })).catch((e: unknown) => e)) as NodeError;
    expect(error).toMatchObject({ code: "tool_unavailable", retryable: true });
    expect(error.trace.input).toMatchObject({ title: "Bug from Ada" });
  });

  it("fails on a tool error by default; set to go on, it publishes an empty result, the error and a warning", async () => {
    const failing = () => port(new NodeError("tool_error", "orders → fail: down for maintenance.")).tools;
    await expect(executeTool(nodeContext(config, scope, { tools: failing() }))).rejects.toMatchObject({ code: "tool_error" });
    const result = (await executeTool(nodeContext({ ...config, onToolError: "continue" }, scope, { tools: failing() }))) as NodeResult;
    expect(result.output).toEqual({ result: null, error: { code: "tool_error", message: "orders → fail: down for maintenance." }, id: null, url: null });
    expect(result.detail?.warnings).toEqual([{ code: "tool_error", message: "orders → fail: down for maintenance.", tool: "create_ticket" }]);
    // Cancellation is never swallowed.
    await expect(executeTool(nodeContext({ ...config, onToolError: "continue" }, scope, { tools: port(new NodeError("cancelled", "The run was cancelled.")).tools }))).rejects.toMatchObject({ code: "cancelled" });
  });

  it("streams the tool's progress as the step's live text", async () => {
    const deltas: string[] = [];
    const tools: ToolPort = {
      describe: async () => [descriptor],
      call: async (invocation) => {
        invocation.onProgress?.({ progress: 1, total: 2, message: "half" });
        invocation.onProgress?.({ progress: 2 });
        return { output: {}, durationMs: 1 };
      },
    };
    await executeTool({ ...nodeContext(config, scope, { tools }), emitDelta: (text: string) => void deltas.push(text) });
    expect(deltas).toEqual(["1/2 half\n", "2\n"]);
  });

  it("fails with tool_not_found for a deleted tool and clearly without a registry", async () => {
    const { tools } = port();
    await expect(executeTool(nodeContext({ ...config, toolId: "tool_gone" }, scope, { tools }))).rejects.toMatchObject({ code: "tool_not_found" });
    await expect(executeTool(nodeContext(config, scope))).rejects.toMatchObject({ code: "internal", message: "The tool registry is not available in this environment." });
  });
});
