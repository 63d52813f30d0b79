import { describe, expect, it } from "vitest";
import { executeRun } from "@/lib/engine/run-engine";
import { validateGraph } from "@/lib/engine/validate";
import { executorRegistry } from "@/lib/nodes/executors";
import { nodeRegistry } from "@/lib/nodes/registry";
import { SwitchConfigSchema, switchNode } from "@/lib/nodes/switch/definition";
import { executeSwitch } from "@/lib/nodes/switch/execute";
import { MemoryEvents, MemoryStepStore, edge, end, fakeServices, graph, node, start, template } from "../engine/fixtures";
import { nodeContext } from "./context";

const config = SwitchConfigSchema.parse({
  value: "start.kind",
  cases: [
    { id: "case_1", values: ["bug"] },
    { id: "case_2", values: ["refund", "billing", "invoice"] },
    { id: "case_3", values: ["42"] },
  ],
});

describe("switch definition", () => {
  it("has a handle per case plus default, labelled by the values", () => {
    expect(switchNode.outputHandles(config)).toEqual([
      { id: "case_1", label: "= bug" },
      { id: "case_2", label: "∈ refund, billing, invoice" },
      { id: "case_3", label: "= 42" },
      { id: "default", label: "DEFAULT" },
    ]);
    expect(switchNode.references!(config)).toEqual(["start.kind"]);
  });

  it("reports a missing variable and values that an earlier case already takes", () => {
    const bad = SwitchConfigSchema.parse({ value: "", cases: [{ id: "case_1", values: ["a"] }, { id: "case_2", values: ["a", "b"] }] });
    expect(switchNode.check!(bad)).toEqual(["Choose the variable to switch on.", 'Case 2: "a" is already matched by case 1, so it never applies here.']);
  });
});

describe("switch executor", () => {
  it.each([
    [{ kind: "bug" }, "case_1"],
    [{ kind: "invoice" }, "case_2"],
    [{ kind: 42 }, "case_3"],
    [{ kind: "other" }, "default"],
    [{}, "default"],
  ])("%j takes %s", async (start, branch) => {
    const result = await executeSwitch(nodeContext(config, { start }));
    expect(result.branch).toBe(branch);
    expect(result.output).toEqual({ case: branch, value: (start as { kind?: unknown }).kind ?? null });
  });

  it("routes a run down the matching branch and skips the others", async () => {
    const g = graph(
      [
        start("start", [{ name: "kind", type: "string" }]),
        node("sw", "switch", config),
        template("a", "bug team"),
        template("b", "billing team"),
        template("c", "answer team"),
        template("d", "triage"),
        node("pick", "aggregate", { variables: ["a.text", "b.text", "c.text", "d.text"] }),
        end("end", { team: "{{ pick.value }}", case: "{{ sw.case }}" }),
      ],
      [
        edge("start", "sw"),
        edge("sw", "a", "case_1"),
        edge("sw", "b", "case_2"),
        edge("sw", "c", "case_3"),
        edge("sw", "d", "default"),
        edge("a", "pick"),
        edge("b", "pick"),
        edge("c", "pick"),
        edge("d", "pick"),
        edge("pick", "end"),
      ],
    );
    expect(validateGraph(g, nodeRegistry).filter((p) => p.severity === "error")).toEqual([]);
    const store = new MemoryStepStore();
    const outcome = await executeRun({
      runId: "run_1",
      graph: g,
      inputs: { kind: "refund" },
      registry: nodeRegistry,
      executors: executorRegistry,
      store,
      events: new MemoryEvents(),
      services: fakeServices().services,
      signal: new AbortController().signal,
    });
    expect(outcome).toMatchObject({ status: "succeeded", output: { team: "billing team", case: "case_2" } });
    expect(["a", "c", "d"].map((id) => store.status(id))).toEqual(["skipped", "skipped", "skipped"]);
  });
});
