import { describe, expect, it } from "vitest";
import { executeRun } from "@/lib/engine/run-engine";
import { executorRegistry, nodeExecutors } from "@/lib/nodes/executors";
import { NODE_TYPES, nodeRegistry } from "@/lib/nodes/registry";
import { MemoryEvents, MemoryStepStore, condition, edge, end, fakeServices, graph, llm, start, template } from "../engine/fixtures";

describe("executor registry", () => {
  it("has one executor per node type", () => {
    expect(Object.keys(nodeExecutors).sort()).toEqual([...NODE_TYPES].sort());
    expect(Object.keys(executorRegistry).sort()).toEqual([...NODE_TYPES].sort());
  });

  it("runs a workflow with every node type through the real executors and a fake model", async () => {
    const g = graph(
      [
        start("start", [{ name: "topic", type: "string" }]),
        template("prompt", "Write about {{ start.topic | downcase }}."),
        llm("llm_1", "{{ prompt.text }}", { outputFormat: "json" }),
        condition("cond", [{ id: "case_1", rules: [{ left: "llm_1.json.ok", operator: "equals", right: "true" }] }]),
        template("yes", "{{ llm_1.json.title }}"),
        template("no", "failed"),
        end("end", { title: "{{ yes.text }}", data: "{{ llm_1.json }}" }),
      ],
      [edge("start", "prompt"), edge("prompt", "llm_1"), edge("llm_1", "cond"), edge("cond", "yes", "case_1"), edge("cond", "no", "else"), edge("yes", "end"), edge("no", "end")],
    );
    const { services, requests } = fakeServices(() => '{"ok": true, "title": "Tides"}');
    const store = new MemoryStepStore();
    const outcome = await executeRun({
      runId: "run_1",
      graph: g,
      inputs: { topic: "The SEA" },
      registry: nodeRegistry,
      executors: executorRegistry,
      store,
      events: new MemoryEvents(),
      services,
      signal: new AbortController().signal,
    });
    expect(outcome).toEqual({
      status: "succeeded",
      output: { title: "Tides", data: { ok: true, title: "Tides" } },
      usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 },
    });
    expect(requests[0].messages.at(-1)?.content).toBe("Write about the sea.");
    expect(requests[0].json).toBe(true);
    expect(store.status("no")).toBe("skipped");
  });
});
