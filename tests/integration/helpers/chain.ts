import type { Graph } from "@/lib/engine/graph";

/**
 * Start → LLM (one per prompt, in a chain) → End. Each LLM node's user prompt is its own text
 * plus the previous node's answer, so the test server's recorded requests say which node sent them.
 */
export function llmChainGraph(providerId: string, nodeIds: string[]): Graph {
  const nodes: Graph["nodes"] = [
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "topic", label: "Topic", type: "string", required: true, description: "" }] } },
  ];
  const edges: Graph["edges"] = [];
  let previous = "start";
  nodeIds.forEach((id, index) => {
    nodes.push({
      id,
      type: "llm",
      position: { x: 300 * (index + 1), y: 0 },
      data: {
        providerId,
        model: "test-model",
        systemPrompt: "",
        userPrompt: index === 0 ? `prompt-${id}: {{ start.topic }}` : `prompt-${id}: {{ ${previous}.text }}`,
        temperature: 0,
        outputFormat: "text",
        jsonSchema: "",
      },
    });
    edges.push({ id: `e_${previous}_${id}`, source: previous, target: id });
    previous = id;
  });
  nodes.push({ id: "end", type: "end", position: { x: 300 * (nodeIds.length + 1), y: 0 }, data: { outputs: [{ name: "answer", value: `{{ ${previous}.text }}` }] } });
  edges.push({ id: `e_${previous}_end`, source: previous, target: "end" });
  return { version: 1, nodes, edges };
}

/** Polls until `check` returns a value (not undefined/false), or throws after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 15_000, what = "condition"): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
