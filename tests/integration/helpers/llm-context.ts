import type { NodeContext } from "@/lib/engine/node-kit";
import type { EngineServices } from "@/lib/engine/ports";
import type { LlmConfig } from "@/lib/nodes/llm/definition";

/** A NodeContext for calling the LLM executor directly with a real chat service. */
export function llmContext(config: LlmConfig, chat: EngineServices["chat"], options: { render?: (template: string) => string; emitDelta?: (text: string) => void } = {}): NodeContext<LlmConfig> {
  return {
    runId: "r",
    nodeId: "llm_1",
    iteration: 0,
    idempotencyKey: "r:llm_1:0",
    config,
    inputs: {},
    scope: {},
    render: async (template) => (options.render ? options.render(template) : template),
    resolvePath: () => undefined,
    signal: new AbortController().signal,
    services: { chat },
    emitDelta: options.emitDelta ?? (() => {}),
  };
}
