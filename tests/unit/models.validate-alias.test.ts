import { describe, expect, it } from "vitest";
import { validateGraph } from "@/lib/engine/validate";
import { ALIAS_PROVIDER_ID } from "@/lib/models/model-ref";
import { nodeRegistry } from "@/lib/nodes/registry";
import { edge, end, graph, llm, start } from "./engine/fixtures";

const withModel = (providerId: string, model: string) =>
  graph(
    [start("start"), llm("llm_1", "Answer: {{ start.question }}", { providerId, model }), end("end", { answer: "{{ llm_1.text }}" })],
    [edge("start", "llm_1"), edge("llm_1", "end")],
  );

describe("model alias references in the validator", () => {
  it("an alias the workspace does not have is an error on the node's model field", () => {
    const problems = validateGraph(withModel(ALIAS_PROVIDER_ID, "fast"), nodeRegistry, { modelAliases: new Set(["smart"]) });
    expect(problems.filter((p) => p.code === "unknown_model_alias")).toEqual([
      {
        severity: "error",
        code: "unknown_model_alias",
        message: 'LLM node "llm_1" uses the model alias "fast", which does not exist in this workspace (Settings → Models → Aliases).',
        nodeId: "llm_1",
        field: "model",
      },
    ]);
  });

  it("a known alias, a concrete model, or no alias list at all (editor without context) is fine", () => {
    expect(validateGraph(withModel(ALIAS_PROVIDER_ID, "fast"), nodeRegistry, { modelAliases: new Set(["fast"]) }).filter((p) => p.severity === "error")).toEqual([]);
    expect(validateGraph(withModel("prov_1", "fast"), nodeRegistry, { modelAliases: new Set() }).filter((p) => p.severity === "error")).toEqual([]);
    expect(validateGraph(withModel(ALIAS_PROVIDER_ID, "fast"), nodeRegistry).filter((p) => p.severity === "error")).toEqual([]);
  });
});
