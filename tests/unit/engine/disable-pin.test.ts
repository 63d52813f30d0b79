import { describe, expect, it } from "vitest";
import type { Graph, GraphNode } from "@/lib/engine/graph";
import { GraphSchema } from "@/lib/engine/graph";
import { MAX_PIN_BYTES, withoutPins } from "@/lib/engine/pins";
import type { StepRecord } from "@/lib/engine/run-ports";
import { validateGraph } from "@/lib/engine/validate";
import { nodeRegistry } from "@/lib/nodes/registry";
import { condition, edge, end, graph, llm, setupRun, start, template } from "./fixtures";

const setup = setupRun;

const disabled = (n: GraphNode): GraphNode => ({ ...n, disabled: true });
const pinned = (n: GraphNode, output: Record<string, unknown>, branch?: string): GraphNode => ({ ...n, pin: { output, ...(branch ? { branch } : {}) } });

/** start → llm_1 → note_1 (template) → end, where end reads start and the template. */
function chain(middle: (n: GraphNode) => GraphNode = (n) => n, endOutputs: Record<string, string> = { q: "{{ start.question }}" }): Graph {
  return graph(
    [start("start"), middle(llm("llm_1", "Say {{ start.question }}")), template("tpl", "T: {{ start.question }}"), end("end", endOutputs)],
    [edge("start", "llm_1"), edge("llm_1", "tpl"), edge("tpl", "end")],
  );
}

/** start → cond; a disabled t_yes → t_after on a branch never taken; the else branch goes to end. */
function untakenBranch(): Graph {
  return graph(
    [
      start("start"),
      condition("cond", [{ id: "case_yes", rules: [{ left: "start.question", operator: "equals", right: "never" }] }]),
      disabled(template("t_yes", "yes")),
      template("t_after", "after"),
      end("end", { q: "{{ start.question }}" }),
    ],
    [edge("start", "cond"), edge("cond", "t_yes", "case_yes"), edge("t_yes", "t_after"), edge("cond", "end", "else"), edge("t_after", "end")],
  );
}

describe("disabled nodes", () => {
  it("skip the node (no executor call, step skipped with detail.disabled), give it an empty output and let the flow go on", async () => {
    const { run, store, events, requests } = setup(chain(disabled, { q: "{{ start.question }}", t: "{{ tpl.text }}" }));
    const outcome = await run();
    expect(outcome).toMatchObject({ status: "succeeded", output: { q: "why?", t: "T: why?" } });
    expect(requests).toHaveLength(0);
    expect(store.status("llm_1")).toBe("skipped");
    expect(store.calls).toContain("skip:llm_1");
    expect(events.events).toContainEqual(expect.objectContaining({ type: "step", nodeId: "llm_1", status: "skipped", origin: "disabled" }));
    expect(store.status("tpl")).toBe("succeeded");
  });

  it("records the skip's detail through the store (the worker's store writes it on the step row)", async () => {
    const skips: unknown[] = [];
    const { run, store } = setup(chain(disabled));
    const original = store.skipStep.bind(store);
    store.skipStep = async (step) => {
      skips.push(step);
      return original(step);
    };
    await run();
    expect(skips).toContainEqual(expect.objectContaining({ nodeId: "llm_1", detail: { disabled: true } }));
  });

  it("on resume, a disabled node's recorded skip still lets the flow through", async () => {
    const seed: StepRecord[] = [
      { nodeId: "start", iteration: 0, nodeType: "start", status: "succeeded", output: { question: "why?" }, attempt: 1 },
      { nodeId: "llm_1", iteration: 0, nodeType: "llm", status: "skipped", attempt: 0 },
    ];
    const { run, store } = setup(chain(disabled), {}, seed);
    expect(await run()).toMatchObject({ status: "succeeded" });
    expect(store.status("tpl")).toBe("succeeded");
    expect(store.calls).not.toContain("begin:start");
  });

  it("on resume, a disabled node skipped on a branch not taken does not let the flow through", async () => {
    const g = untakenBranch();
    const seed: StepRecord[] = [
      { nodeId: "start", iteration: 0, nodeType: "start", status: "succeeded", output: { question: "why?" }, attempt: 1 },
      { nodeId: "cond", iteration: 0, nodeType: "condition", status: "succeeded", output: { branch: "else" }, branch: "else", attempt: 1 },
      { nodeId: "t_yes", iteration: 0, nodeType: "template", status: "skipped", attempt: 0 },
    ];
    const { run, store } = setup(g, {}, seed);
    expect(await run()).toMatchObject({ status: "succeeded" });
    expect(store.status("t_after")).toBe("skipped");
    expect(store.status("end")).toBe("succeeded");
  });

  it("a node that is not reached stays skipped the usual way even when disabled", async () => {
    const g = untakenBranch();
    const { run, store, events } = setup(g);
    expect(await run()).toMatchObject({ status: "succeeded" });
    expect(store.status("t_yes")).toBe("skipped");
    expect(store.status("t_after")).toBe("skipped");
    expect(events.events).not.toContainEqual(expect.objectContaining({ nodeId: "t_yes", origin: "disabled" }));
  });

  it("validation: a reference to a disabled node's field is an error; the disabled node's own problems become warnings; Start cannot be disabled", () => {
    const g = chain((n) => disabled({ ...n, data: { ...n.data, userPrompt: "{{ nowhere.x }}" } }), { t: "{{ llm_1.text }}" });
    const problems = validateGraph(g, nodeRegistry);
    const ref = problems.find((p) => p.code === "reference_disabled");
    expect(ref).toMatchObject({ severity: "error", nodeId: "end" });
    expect(ref?.message).toMatch(/llm_1.*disabled/);
    expect(problems.find((p) => p.nodeId === "llm_1" && p.code === "unknown_reference")).toMatchObject({ severity: "warning" });
    const noStart = validateGraph({ ...g, nodes: g.nodes.map((n) => (n.id === "start" ? disabled(n) : n)) }, nodeRegistry);
    expect(noStart.find((p) => p.code === "start_disabled")).toMatchObject({ severity: "error", nodeId: "start" });
  });

  it("the run refuses a graph whose nodes read a disabled node", async () => {
    const { run } = setup(chain(disabled, { t: "{{ llm_1.text }}" }));
    const outcome = await run();
    expect(outcome).toMatchObject({ status: "failed", error: { code: "invalid_graph" } });
    if (outcome.status === "failed") expect(outcome.error.message).toMatch(/disabled/);
  });
});

describe("pinned outputs", () => {
  it("an editor run (usePins) uses the pinned output instead of executing the node, recorded as pinned", async () => {
    const { run, store, events, requests } = setup(chain((n) => pinned(n, { text: "pinned text" }), { t: "{{ llm_1.text }}" }), { usePins: true });
    expect(await run()).toMatchObject({ status: "succeeded", output: { t: "pinned text" } });
    expect(requests).toHaveLength(0);
    expect(store.successes.find((s) => s.nodeId === "llm_1")).toMatchObject({ output: { text: "pinned text" }, detail: { pinned: true } });
    expect(events.events).toContainEqual(expect.objectContaining({ nodeId: "llm_1", status: "succeeded", origin: "pinned" }));
  });

  it("any other run (no usePins) ignores the pin and executes the node", async () => {
    const { run, requests } = setup(chain((n) => pinned(n, { text: "pinned text" }), { t: "{{ llm_1.text }}" }));
    expect(await run()).toMatchObject({ status: "succeeded", output: { t: "echo Say why?" } });
    expect(requests).toHaveLength(1);
  });

  it("a pinned branch decides the path", async () => {
    const g = graph(
      [
        start("start"),
        pinned(condition("cond", [{ id: "case_yes", rules: [{ left: "start.question", operator: "equals", right: "never" }] }]), { branch: "case_yes" }, "case_yes"),
        template("t_yes", "yes"),
        template("t_no", "no"),
        end("end", { q: "{{ start.question }}" }),
      ],
      [edge("start", "cond"), edge("cond", "t_yes", "case_yes"), edge("cond", "t_no", "else"), edge("t_yes", "end"), edge("t_no", "end")],
    );
    const { run, store } = setup(g, { usePins: true });
    expect(await run()).toMatchObject({ status: "succeeded" });
    expect(store.status("t_yes")).toBe("succeeded");
    expect(store.status("t_no")).toBe("skipped");
  });

  it("a disabled node with a pin is disabled (disabled wins)", async () => {
    const { run, store } = setup(chain((n) => disabled(pinned(n, { text: "x" }))), { usePins: true });
    expect(await run()).toMatchObject({ status: "succeeded" });
    expect(store.status("llm_1")).toBe("skipped");
  });

  it("the schema bounds a pin's size and withoutPins removes every pin (what publishing stores)", () => {
    const g = chain((n) => pinned(n, { text: "pinned" }));
    expect(GraphSchema.safeParse(g).success).toBe(true);
    const huge = chain((n) => pinned(n, { text: "x".repeat(MAX_PIN_BYTES) }));
    expect(GraphSchema.safeParse(huge).success).toBe(false);
    const published = withoutPins(g);
    expect(published.nodes.some((n) => "pin" in n)).toBe(false);
    expect(g.nodes.find((n) => n.id === "llm_1")?.pin).toBeDefined();
  });
});

describe("node tests", () => {
  it("runs the tested node over pinned upstream nodes; only its own problems refuse the run; the output is its output", async () => {
    // start and llm_1 pinned with edited values, tpl tested, no End in the sub-graph.
    const g = graph(
      [pinned(start("start"), { question: "edited" }), pinned(llm("llm_1", "x"), { text: "hello" }), template("tpl", "{{ start.question }} / {{ llm_1.text }}")],
      [edge("start", "llm_1"), edge("llm_1", "tpl")],
    );
    const { run, requests } = setup(g, { usePins: true, nodeTest: { nodeId: "tpl" }, inputs: { question: "edited" } });
    expect(await run()).toMatchObject({ status: "succeeded", output: { text: "edited / hello" } });
    expect(requests).toHaveLength(0);
    const broken = graph(g.nodes.map((n) => (n.id === "tpl" ? template("tpl", "{{ nowhere.x }}") : n)), g.edges);
    const refused = await setup(broken, { usePins: true, nodeTest: { nodeId: "tpl" }, inputs: { question: "edited" } }).run();
    expect(refused).toMatchObject({ status: "failed", error: { code: "invalid_graph" } });
  });
});
