import { describe, expect, it } from "vitest";
import type { Graph, GraphNode } from "@/lib/engine/graph";
import type { NodeSettingsInput } from "@/lib/engine/policy";
import { upstreamFields, validateGraph, type Problem } from "@/lib/engine/validate";
import { nodeRegistry } from "@/lib/nodes/registry";
import { edge, end, graph, llm, start, template } from "./fixtures";

const validate = (g: unknown) => validateGraph(g, nodeRegistry);
const only = (problems: Problem[], code: string) => problems.filter((p) => p.code === code);
const withSettings = (node: GraphNode, settings: unknown): GraphNode => ({ ...node, data: { ...node.data, settings } });

/** start → llm_1 → end_ok, llm_1 ─error→ oops → end_err, with llm_1's settings given. */
function errorBranch(settings: NodeSettingsInput | Record<string, unknown>): Graph {
  return graph(
    [
      start("start"),
      withSettings(llm("llm_1", "{{ start.question }}"), settings),
      end("end_ok", { answer: "{{ llm_1.text }}" }),
      template("oops", "Failed with {{ llm_1.error.code }}: {{ llm_1.error.message }}"),
      end("end_err", { apology: "{{ oops.text }}" }),
    ],
    [edge("start", "llm_1"), edge("llm_1", "end_ok"), edge("llm_1", "oops", "error"), edge("oops", "end_err")],
  );
}

describe("validateGraph: the error handle", () => {
  it("accepts edges from the error handle and {{ node.error.* }} references when On error is branch", () => {
    expect(validate(errorBranch({ onError: "branch" }))).toEqual([]);
  });

  it("refuses an edge from the error handle when the node does not take an error branch", () => {
    const problems = validate(errorBranch({ onError: "continue", defaultOutput: { text: "" } }));
    expect(only(problems, "unknown_handle")).toEqual([
      expect.objectContaining({
        edgeId: "llm_1-error-oops",
        nodeId: "llm_1",
        message: 'LLM node "llm_1" has no error branch for this connection: set its On error setting to "Take the error branch".',
      }),
    ]);
    // …and the error field does not exist either.
    expect(only(problems, "unknown_field").map((p) => p.nodeId)).toEqual(["oops", "oops"]);
  });

  it("warns when the error branch is not connected", () => {
    const g = errorBranch({ onError: "branch" });
    g.nodes = g.nodes.filter((n) => n.id !== "oops" && n.id !== "end_err");
    g.edges = g.edges.filter((e) => e.source !== "oops" && e.target !== "oops");
    expect(only(validate(g), "handle_not_connected")).toEqual([expect.objectContaining({ nodeId: "llm_1", field: "error" })]);
  });

  it("offers the error field in the variable picker only in branch mode", () => {
    const fields = (settings: NodeSettingsInput) => upstreamFields(errorBranch(settings), nodeRegistry, "oops").filter((f) => f.nodeId === "llm_1");
    expect(fields({ onError: "branch" }).map((f) => f.field)).toContain("error");
    expect(fields({ onError: "fail" }).map((f) => f.field)).not.toContain("error");
  });
});

describe("validateGraph: node settings", () => {
  const linear = (settings: unknown) =>
    graph(
      [start("start"), withSettings(llm("llm_1", "{{ start.question }}"), settings), end("end", { answer: "{{ llm_1.text }}" })],
      [edge("start", "llm_1"), edge("llm_1", "end")],
    );

  it("accepts valid settings", () => {
    expect(
      validate(linear({ timeoutMs: 30_000, retry: { maxAttempts: 3, backoff: "fixed", initialDelayMs: 500, maxDelayMs: 500 }, onError: "fail" })),
    ).toEqual([]);
  });

  it("reports each invalid setting with its field", () => {
    const problems = only(validate(linear({ timeoutMs: 10, retry: { maxAttempts: 11 }, onError: "ignore" })), "invalid_settings");
    expect(problems.map((p) => p.field)).toEqual(["settings.timeoutMs", "settings.retry.maxAttempts", "settings.onError"]);
    expect(problems[0].message).toBe('LLM node "llm_1": settings.timeoutMs: must be at least 1 s');
  });

  it("warns when a Continue default output lacks a field the node produces", () => {
    const problems = validate(linear({ onError: "continue", defaultOutput: { other: 1 } }));
    expect(only(problems, "default_output_incomplete")).toEqual([
      expect.objectContaining({ severity: "warning", nodeId: "llm_1", message: expect.stringContaining("has no text, usage") }),
    ]);
    expect(only(validate(linear({ onError: "continue", defaultOutput: { text: "", usage: {} } })), "default_output_incomplete")).toEqual([]);
  });

  it("ignores settings on Start and End nodes, with a warning", () => {
    const g = linear({});
    g.nodes[0] = withSettings(g.nodes[0], { onError: "branch" });
    expect(validate(g)).toEqual([expect.objectContaining({ code: "settings_ignored", severity: "warning", nodeId: "start" })]);
  });
});
