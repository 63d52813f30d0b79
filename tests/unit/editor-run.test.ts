import { describe, expect, it } from "vitest";
import { applyRunEvent, applySnapshot, isTerminalRunStatus, nodeRunStatus, parseRunMessage, startOverlay } from "@/lib/editor/run-overlay";
import { initialRunValues, parseRunValues, startInputs } from "@/lib/editor/run-form";
import { graphToFlow } from "@/lib/editor/flow";
import type { StartInput } from "@/lib/nodes/start/definition";
import { insertAt, variableReference } from "@/lib/editor/text-insert";
import { nodeSummary } from "@/lib/editor/summary";

describe("run overlay", () => {
  it("shows every node queued until events arrive, then follows step, delta and run events", () => {
    let overlay = startOverlay("run_1");
    expect(nodeRunStatus(overlay, "llm")).toBe("queued");

    const snapshot = parseRunMessage(
      "snapshot",
      JSON.stringify({
        run: { id: "run_1", status: "running", output: null, error: null },
        steps: [{ nodeId: "start", iteration: 0, status: "succeeded", output: { question: "hi" }, error: null, branch: null }],
      }),
    );
    expect(snapshot?.kind).toBe("snapshot");
    if (snapshot?.kind !== "snapshot") throw new Error("unreachable");
    overlay = applySnapshot(overlay, snapshot.snapshot);
    expect(overlay.status).toBe("running");
    expect(nodeRunStatus(overlay, "start")).toBe("succeeded");
    expect(overlay.steps.start.output).toEqual({ question: "hi" });

    const events = [
      ["step", { type: "step", nodeId: "llm", iteration: 0, status: "running", at: "t" }],
      ["delta", { type: "delta", nodeId: "llm", iteration: 0, text: "Hel" }],
      ["delta", { type: "delta", nodeId: "llm", iteration: 0, text: "lo" }],
    ] as const;
    for (const [name, data] of events) {
      const message = parseRunMessage(name, JSON.stringify(data));
      if (message?.kind !== "event") throw new Error(`could not parse ${name}`);
      overlay = applyRunEvent(overlay, message.event);
    }
    expect(nodeRunStatus(overlay, "llm")).toBe("running");
    expect(overlay.deltas.llm).toBe("Hello");

    overlay = applyRunEvent(overlay, { type: "step", nodeId: "llm", iteration: 0, status: "succeeded", output: { text: "Hello" }, at: "t" });
    overlay = applyRunEvent(overlay, { type: "step", nodeId: "other", iteration: 0, status: "skipped", at: "t" });
    expect(nodeRunStatus(overlay, "llm")).toBe("succeeded");
    expect(nodeRunStatus(overlay, "other")).toBe("skipped");
    expect(isTerminalRunStatus(overlay.status)).toBe(false);

    overlay = applyRunEvent(overlay, { type: "run", status: "succeeded", output: { result: "Hello" }, at: "t" });
    expect(overlay.status).toBe("succeeded");
    expect(overlay.output).toEqual({ result: "Hello" });
    expect(isTerminalRunStatus(overlay.status)).toBe(true);
  });

  it("records failures with their error, and a retried step restarts its streamed text", () => {
    let overlay = startOverlay("r");
    overlay = applyRunEvent(overlay, { type: "delta", nodeId: "llm", iteration: 0, text: "partial" });
    overlay = applyRunEvent(overlay, { type: "step", nodeId: "llm", iteration: 0, status: "running", at: "t" });
    expect(overlay.deltas.llm).toBe("");
    expect(overlay.status).toBe("running");
    overlay = applyRunEvent(overlay, {
      type: "step",
      nodeId: "llm",
      iteration: 0,
      status: "failed",
      error: { code: "provider_auth", message: "Bad key" },
      at: "t",
    });
    overlay = applyRunEvent(overlay, { type: "run", status: "failed", error: { code: "provider_auth", message: "Bad key", nodeId: "llm" }, at: "t" });
    expect(nodeRunStatus(overlay, "llm")).toBe("failed");
    expect(overlay.steps.llm.error).toEqual({ code: "provider_auth", message: "Bad key" });
    expect(overlay.error?.nodeId).toBe("llm");
  });

  it("accepts events whose data leaves out `type`, and ignores garbage", () => {
    const message = parseRunMessage("run", JSON.stringify({ status: "cancelled", at: "t" }));
    expect(message).toMatchObject({ kind: "event", event: { type: "run", status: "cancelled" } });
    expect(parseRunMessage("step", "not json")).toBeNull();
    expect(parseRunMessage("step", JSON.stringify({ nodeId: 3 }))).toBeNull();
    expect(parseRunMessage("ping", "{}")).toBeNull();
  });
});

describe("run form", () => {
  const inputs: StartInput[] = [
    { name: "question", label: "Question", type: "string", required: true, description: "" },
    { name: "age", label: "", type: "number", required: false, description: "" },
    { name: "urgent", label: "Urgent", type: "boolean", required: true, description: "" },
    { name: "meta", label: "Meta", type: "object", required: false, description: "" },
    { name: "tags", label: "Tags", type: "array", required: true, description: "" },
  ];

  it("parses typed values", () => {
    const values = { ...initialRunValues(inputs), question: "Why?", age: " 42 ", urgent: true, meta: '{"a":1}', tags: '["x"]' };
    expect(parseRunValues(inputs, values)).toEqual({
      ok: true,
      inputs: { question: "Why?", age: 42, urgent: true, meta: { a: 1 }, tags: ["x"] },
    });
  });

  it("leaves optional empty fields out and reports each bad field by name", () => {
    const values = { ...initialRunValues(inputs), age: "abc", meta: "[1]", tags: "" };
    const parsed = parseRunValues(inputs, values);
    expect(parsed).toEqual({
      ok: false,
      errors: { question: "Question is required.", age: "age must be a number.", meta: "Meta must be a JSON object.", tags: "Tags is required." },
    });
    const optional = parseRunValues(inputs, { question: "q", age: "", urgent: false, meta: "", tags: "[]" });
    expect(optional).toEqual({ ok: true, inputs: { question: "q", urgent: false, tags: [] } });
    expect(parseRunValues(inputs, { question: "q", tags: "{nope" })).toMatchObject({ ok: false, errors: { tags: "Tags is not valid JSON." } });
  });

  it("reads the Start node's inputs and skips malformed rows", () => {
    const flow = graphToFlow({
      version: 1,
      nodes: [{ id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [inputs[0], { name: "1bad", type: "string" }, "junk"] } }],
      edges: [],
    });
    expect(startInputs(flow)).toEqual([inputs[0]]);
    expect(startInputs({ nodes: [], edges: [] })).toEqual([]);
  });
});

describe("editor text helpers", () => {
  it("inserts a variable reference at the caret, replacing the selection", () => {
    expect(insertAt("Hello !", 6, 6, variableReference("start", "name"))).toEqual({ text: "Hello {{ start.name }}!", caret: 22 });
    expect(insertAt("Hello world", 6, 11, "X")).toEqual({ text: "Hello X", caret: 7 });
    expect(insertAt("abc", 99, 99, "d")).toEqual({ text: "abcd", caret: 4 });
  });

  it("summarises configs without throwing on broken drafts", () => {
    expect(nodeSummary("llm", { model: "gpt-4o-mini", userPrompt: "\nAnswer {{ start.question }}\nmore" })).toEqual([
      "Model: gpt-4o-mini",
      "Answer {{ start.question }}",
    ]);
    expect(
      nodeSummary("condition", {
        cases: [
          { id: "case_1", logic: "and", rules: [{ left: "start.age", operator: "greater_than", right: "18" }] },
          { id: "case_2", logic: "or", rules: [{ left: "start.name", operator: "is_empty", right: "" }] },
        ],
      }),
    ).toEqual(["IF: start.age > 18", "ELIF 1: start.name is empty", "ELSE"]);
    expect(nodeSummary("condition", { cases: "broken" })).toEqual(["ELSE"]);
    expect(nodeSummary("start", { inputs: null })).toEqual(["No inputs"]);
    expect(nodeSummary("unknown", {})).toEqual([]);
  });
});

describe("joining a run mid-stream", () => {
  it("starts a running step's streamed text from the snapshot and appends later deltas", () => {
    const message = parseRunMessage(
      "snapshot",
      JSON.stringify({
        run: { id: "r1", status: "running", output: null, error: null },
        steps: [{ nodeId: "llm", iteration: 0, status: "running", output: null, error: null, branch: null, partialText: "Hello, " }],
      }),
    );
    if (message?.kind !== "snapshot") throw new Error("snapshot not parsed");
    let overlay = applySnapshot(startOverlay("r1"), message.snapshot);
    expect(overlay.deltas.llm).toBe("Hello, ");
    overlay = applyRunEvent(overlay, { type: "delta", nodeId: "llm", iteration: 0, text: "world", offset: 7 });
    expect(overlay.deltas.llm).toBe("Hello, world");
  });
});

describe("a throttled run in the editor", () => {
  it("shows what the run waits for until it runs again", () => {
    let overlay = startOverlay("r1");
    const throttled = parseRunMessage("run", JSON.stringify({ type: "run", status: "queued", throttled: { reason: 'provider "OpenAI" allows 2 requests per minute', until: "2026-12-04T20:00:05.000Z" }, at: "x" }));
    if (throttled?.kind !== "event") throw new Error("not an event");
    overlay = applyRunEvent(overlay, throttled.event);
    expect(overlay.throttled).toBe('provider "OpenAI" allows 2 requests per minute');
    const running = parseRunMessage("run", JSON.stringify({ type: "run", status: "running", at: "y" }));
    if (running?.kind !== "event") throw new Error("not an event");
    expect(applyRunEvent(overlay, running.event).throttled).toBeNull();
  });
});
