import type { NodeContext } from "@/lib/engine/node-kit";
import type { EngineServices } from "@/lib/engine/ports";
import { renderTemplate, resolvePath } from "@/lib/engine/template";

/** A NodeContext over a plain scope, with fake ports, for executor unit tests. */
export function nodeContext<C>(config: C, scope: Record<string, unknown> = {}, services: Partial<EngineServices> = {}): NodeContext<C> {
  return {
    runId: "run_1",
    nodeId: "node_1",
    iteration: 0,
    idempotencyKey: "run_1:node_1:0",
    config,
    inputs: {},
    scope,
    render: (t) => renderTemplate(t, scope),
    resolvePath: (p) => resolvePath(scope, p),
    signal: new AbortController().signal,
    services: { chat: () => Promise.reject(new Error("no model in this test")), ...services },
    emitDelta: () => undefined,
  };
}
