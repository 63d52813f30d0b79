import { describe, expect, it } from "vitest";
import { validateGraph } from "@/lib/engine/validate";
import { parseDefaultOutput, settingsForm, settingsFromForm } from "@/lib/editor/node-settings";
import { createEditorStore, currentGraph } from "@/lib/editor/store";
import { panelConfig } from "@/lib/editor/panel-kit";
import { nodeRegistry } from "@/lib/nodes/registry";

const emptyStore = () => createEditorStore({ workflowId: "wf_1", name: "Test", graph: { version: 1, nodes: [], edges: [] }, revision: 0 });

/** start → llm → end, plus llm ─error→ tpl → end when asked. */
function storeWithLlm() {
  const store = emptyStore();
  const s = () => store.getState();
  const start = s().addNode("start");
  const llm = s().addNode("llm");
  const tpl = s().addNode("template");
  const end = s().addNode("end");
  s().updateConfig(llm, { ...(nodeRegistry.llm!.defaultConfig() as Record<string, unknown>), providerId: "p", model: "m", userPrompt: "{{ start.question }}" });
  s().updateConfig(tpl, { template: "Failed: {{ llm.error.message }}", format: "text" });
  s().updateConfig(end, { outputs: [{ name: "answer", value: "{{ llm.text }}" }] });
  s().connect({ source: start, sourceHandle: "out", target: llm, targetHandle: null });
  s().connect({ source: llm, sourceHandle: "out", target: end, targetHandle: null });
  return { store, s, start, llm, tpl, end };
}

describe("editor: node settings", () => {
  it("branch mode adds an error handle that edges may leave from; leaving branch mode removes those edges", () => {
    const { s, llm, tpl, end } = storeWithLlm();
    s().updateSettings(llm, { onError: "branch" });
    expect(s().connect({ source: llm, sourceHandle: "error", target: tpl, targetHandle: null }).ok).toBe(true);
    s().connect({ source: tpl, sourceHandle: "out", target: end, targetHandle: null });
    expect(validateGraph(currentGraph(s()), nodeRegistry).filter((p) => p.severity === "error")).toEqual([]);

    s().updateSettings(llm, { onError: "continue", defaultOutput: { text: "" } });
    expect(s().edges.filter((e) => e.source === llm).map((e) => e.sourceHandle ?? "out")).toEqual(["out"]);
    expect(s().edges.some((e) => e.sourceHandle === "error")).toBe(false);
  });

  it("keeps settings (and the title) when the panel changes the config, and drops them when reset to defaults", () => {
    const { s, llm } = storeWithLlm();
    s().setTitle(llm, "Answerer");
    s().updateSettings(llm, { timeoutMs: 30_000 });
    const node = () => s().nodes.find((n) => n.id === llm)!;
    const config = panelConfig(nodeRegistry.llm!, node().data.config) as Record<string, unknown>;
    expect(config).not.toHaveProperty("settings");
    s().updateConfig(llm, { ...config, userPrompt: "changed" });
    expect(node().data.config).toMatchObject({ userPrompt: "changed", title: "Answerer", settings: { timeoutMs: 30_000 } });
    s().updateSettings(llm, undefined);
    expect(node().data.config).not.toHaveProperty("settings");
    expect(node().data.config.title).toBe("Answerer");
  });
});

describe("settings form", () => {
  it("stores nothing for defaults and only what differs otherwise", () => {
    const form = settingsForm(undefined);
    expect(form).toEqual({ timeoutSeconds: "", maxAttempts: 1, backoff: "exponential", initialDelaySeconds: "1", onError: "fail", defaultOutput: undefined });
    expect(settingsFromForm(form)).toBeUndefined();
    expect(settingsFromForm({ ...form, timeoutSeconds: "30", maxAttempts: 3, backoff: "fixed", initialDelaySeconds: "2.5" })).toEqual({
      timeoutMs: 30_000,
      retry: { maxAttempts: 3, backoff: "fixed", initialDelayMs: 2_500, maxDelayMs: 30_000 },
    });
    expect(settingsFromForm({ ...form, onError: "continue" })).toEqual({ onError: "continue", defaultOutput: {} });
    // Leaving "continue" drops the default output.
    expect(settingsFromForm({ ...form, onError: "branch", defaultOutput: { a: 1 } })).toEqual({ onError: "branch" });
  });

  it("round-trips stored settings", () => {
    const stored = { timeoutMs: 5_000, retry: { maxAttempts: 4, backoff: "exponential", initialDelayMs: 500, maxDelayMs: 8_000 }, onError: "continue", defaultOutput: { text: "n/a" } };
    expect(settingsFromForm(settingsForm(stored), stored)).toEqual(stored);
  });

  it("validates the default output as a JSON object", () => {
    expect(parseDefaultOutput('{ "text": "n/a" }')).toEqual({ ok: true, value: { text: "n/a" } });
    expect(parseDefaultOutput("")).toEqual({ ok: true, value: {} });
    expect(parseDefaultOutput("[1]")).toMatchObject({ ok: false, message: expect.stringContaining("JSON object") });
    expect(parseDefaultOutput("{ text }")).toMatchObject({ ok: false, message: expect.stringContaining("Not valid JSON") });
  });
});
