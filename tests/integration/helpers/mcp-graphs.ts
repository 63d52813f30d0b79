import type { Graph } from "@/lib/engine/graph";

/** The graphs MCP run tests start: one Tool node, or one Agent node, between Start and End. */

export function singleToolGraph(toolId: string, inputs: { name: string; value: string }[], options: { nodeId?: string; onToolError?: "fail" | "continue" } = {}): Graph {
  const id = options.nodeId ?? "call";
  return {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
      { id, type: "tool", position: { x: 300, y: 0 }, data: { toolId, toolName: "", inputs: inputs.map((i) => ({ ...i, required: false })), outputs: [], onToolError: options.onToolError ?? "fail" } },
      { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "result", value: `{{ ${id}.result }}` }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: id },
      { id: "e2", source: id, target: "end" },
    ],
  };
}

export function singleAgentGraph(providerId: string, toolId: string, userPrompt: string): Graph {
  return {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
      { id: "agent", type: "agent", position: { x: 300, y: 0 }, data: { providerId, model: "test-model", temperature: 0, systemPrompt: "", userPrompt, tools: [toolId], maxIterations: 3 } },
      { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "answer", value: "{{ agent.text }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "agent" },
      { id: "e2", source: "agent", target: "end" },
    ],
  };
}
