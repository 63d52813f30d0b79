import { describe, expect, it } from "vitest";
import { validateGraph, type Problem } from "@/lib/engine/validate";
import { nodeRegistry } from "@/lib/nodes/registry";
import { largeGraph } from "../../../bench/lib/large-graph";
import { edge, end, graph, llm, node, start, template } from "./fixtures";

/** Reads of a field the referenced node does not publish on the branch the reader runs after. */
const onBranch = (g: unknown): Problem[] => validateGraph(g, nodeRegistry).filter((p) => p.code === "field_not_on_branch");

const classifier = (id: string) =>
  node(id, "classifier", {
    providerId: "prov_1",
    model: "test-model",
    input: "{{ start.question }}",
    classes: [
      { id: "class_a", name: "A", description: "" },
      { id: "class_b", name: "B", description: "" },
    ],
    settings: { onError: "branch" },
  });

describe("validateGraph: fields not published on the branch taken", () => {
  it("reports classifier.label read by a node that runs only on the classifier's error branch", () => {
    const g = graph(
      [start("start"), classifier("classifier"), template("sorry", "Could not classify: {{ classifier.label }}"), template("ok", "{{ classifier.label }}"), end("end", { r: "x" })],
      [
        edge("start", "classifier"),
        edge("classifier", "ok", "class_a"),
        edge("classifier", "ok", "class_b"),
        edge("classifier", "sorry", "error"),
        edge("ok", "end"),
        edge("sorry", "end"),
      ],
    );
    const problems = onBranch(g);
    expect(problems.map((p) => p.nodeId)).toEqual(["sorry"]);
    expect(problems[0]!.severity).toBe("warning");
    expect(problems[0]!.message).toMatch(/reads \{\{ classifier\.label \}\}, but it runs only after .*"classifier".* failed .*publishes only "error"/);
  });

  it("accepts classifier.error on the error branch and reports it where the error branch never leads", () => {
    const g = graph(
      [start("start"), classifier("classifier"), template("sorry", "{{ classifier.error.message }}"), template("ok", "{{ classifier.error }}"), end("end", { r: "x" })],
      [edge("start", "classifier"), edge("classifier", "ok", "class_a"), edge("classifier", "ok", "class_b"), edge("classifier", "sorry", "error"), edge("ok", "end"), edge("sorry", "end")],
    );
    expect(onBranch(g).map((p) => [p.nodeId, p.message.includes("never runs after")])).toEqual([["ok", true]]);
  });

  it("says nothing about a node reached on both the error branch and another branch", () => {
    const g = graph(
      [start("start"), llm("ask", "{{ start.question }}", { settings: { onError: "branch" } }), template("join", "{{ ask.text }}"), end("end", { r: "{{ join.text }}" })],
      [edge("start", "ask"), edge("ask", "join"), edge("ask", "join", "error"), edge("join", "end")],
    );
    expect(onBranch(g)).toEqual([]);
  });
});

describe("branch analysis on large graphs", () => {
  it("a 2,000-node graph with 200 conditions validates without problems (the branch analysis is not quadratic)", () => {
    const g = largeGraph(2_000);
    expect(validateGraph(g, nodeRegistry)).toEqual([]);
  });
});
