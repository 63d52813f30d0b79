import { describe, expect, it } from "vitest";
import type { Graph } from "@/lib/engine/graph";
import { validateGraph } from "@/lib/engine/validate";
import { nodeRegistry } from "@/lib/nodes/registry";
import { condition, edge, end, graph, node, start } from "./fixtures";

/** References are type-checked at save time from the declared output types. */

const typeProblems = (g: Graph) => validateGraph(g, nodeRegistry).filter((p) => p.code === "type_mismatch");

function withCondition(left: string, operator: string, right = "5"): Graph {
  return graph(
    [
      start("start", [
        { name: "age", type: "number" },
        { name: "name", type: "string" },
        { name: "ok", type: "boolean" },
        { name: "tags", type: "array" },
      ]),
      condition("cond", [{ id: "case_1", rules: [{ left, operator, right }] }]),
      end("end", { x: "{{ start.name }}" }),
    ],
    [edge("start", "cond"), edge("cond", "end", "case_1"), edge("cond", "end", "else")],
  );
}

describe("type-checked references", () => {
  it("a number comparison on a boolean or an array is an error with the node id", () => {
    const problems = typeProblems(withCondition("start.ok", "greater_than"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ nodeId: "cond", severity: "error" });
    expect(problems[0]!.message).toMatch(/needs a number or a string, but \{\{ start\.ok \}\} is a boolean/);
    expect(typeProblems(withCondition("input.tags", "less_than"))).toHaveLength(1);
  });

  it("matching and `any` types pass", () => {
    expect(typeProblems(withCondition("start.age", "greater_than"))).toEqual([]);
    expect(typeProblems(withCondition("start.name", "contains", "x"))).toEqual([]);
    expect(typeProblems(withCondition("start.tags", "contains", "x"))).toEqual([]);
    // An untyped upstream output (`any`) matches everything.
    const g = withCondition("tpl.json", "greater_than");
    g.nodes.splice(1, 0, node("tpl", "template", { template: "{}", format: "json" }));
    g.edges = [edge("start", "tpl"), edge("tpl", "cond"), edge("cond", "end", "case_1"), edge("cond", "end", "else")];
    expect(typeProblems(g)).toEqual([]);
  });

  it("the right side of a number comparison is checked when it is one reference", () => {
    expect(typeProblems(withCondition("start.age", "greater_than", "{{ start.tags }}"))).toHaveLength(1);
    expect(typeProblems(withCondition("start.age", "greater_than", "{{ start.age }}"))).toEqual([]);
  });

  it("Variable assign: values against the declared variable type, increment needs a number", () => {
    const g: Graph = {
      ...graph(
        [
          start("start", [
            { name: "n", type: "number" },
            { name: "s", type: "string" },
          ]),
          node("set", "assign", {
            assignments: [
              { variable: "count", operation: "set", mode: "expression", value: "start.s" },
              { variable: "label", operation: "increment", mode: "expression", value: "" },
              { variable: "count", operation: "increment", mode: "template", value: "{{ start.n }}" },
            ],
          }),
          end("end", { c: "{{ var.count }}" }),
        ],
        [edge("start", "set"), edge("set", "end")],
      ),
      variables: [
        { name: "count", type: "number" },
        { name: "label", type: "string" },
      ],
    };
    const messages = typeProblems(g).map((p) => p.message);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/the value for var\.count needs a number, but \{\{ start\.s \}\} is a string/);
    expect(messages[1]).toMatch(/"increase by" on var\.label needs a number/);
  });

  it("Sub-workflow inputs are checked against the child's declared input types", () => {
    const g = graph(
      [
        start("start", [{ name: "s", type: "string" }]),
        node("sub", "subworkflow", { workflowId: "wf_child", inputs: [{ name: "n", value: "{{ start.s }}", type: "number" }] }),
        end("end", { r: "{{ sub.output }}" }),
      ],
      [edge("start", "sub"), edge("sub", "end")],
    );
    expect(typeProblems(g)).toMatchObject([{ nodeId: "sub", message: expect.stringMatching(/sub-workflow input "n" needs a number/) }]);
  });
});
