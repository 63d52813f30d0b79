/**
 * The workflows the HTTP benchmark runs, each with the inputs of one request and the output it
 * must answer. `sum` has a sandboxed Code node; `template` (Start → Template → Condition →
 * Template → End, the queue benchmark's graph) and `assign` (Start → Variable assign `$sum` → End)
 * are model-free and sandbox-free, so they measure the request path and the worker alone.
 */
const at = (x: number) => ({ x, y: 0 });
const numbersInput = { inputs: [{ name: "numbers", label: "", type: "array", required: true, description: "" }] };
const NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

export const benchWorkflows = {
  sum: {
    graph: {
      version: 1,
      nodes: [
        { id: "start", type: "start", position: at(0), data: numbersInput },
        {
          id: "code",
          type: "code",
          position: at(200),
          data: {
            inputs: [{ name: "numbers", value: "{{ start.numbers }}" }],
            code: "function main(inputs) {\n  return { sum: inputs.numbers.reduce((a, b) => a + b, 0) };\n}",
            outputs: [{ name: "sum", type: "number" }],
          },
        },
        { id: "end", type: "end", position: at(400), data: { outputs: [{ name: "sum", value: "{{ code.sum }}" }] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "code" },
        { id: "e2", source: "code", target: "end" },
      ],
    },
    inputs: { numbers: NUMBERS },
    expected: { sum: 55 },
  },
  assign: {
    graph: {
      version: 1,
      variables: [{ name: "sum", type: "number", default: 0 }],
      nodes: [
        { id: "start", type: "start", position: at(0), data: numbersInput },
        { id: "total", type: "assign", position: at(200), data: { assignments: [{ variable: "sum", operation: "set", mode: "expression", value: "$sum(start.numbers)" }] } },
        { id: "end", type: "end", position: at(400), data: { outputs: [{ name: "sum", value: "{{ var.sum }}" }] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "total" },
        { id: "e2", source: "total", target: "end" },
      ],
    },
    inputs: { numbers: NUMBERS },
    expected: { sum: 55 },
  },
  /** Start → Template → End: the smallest model-free workflow (the webhook benchmark's). */
  echo: {
    graph: {
      version: 1,
      nodes: [
        { id: "start", type: "start", position: at(0), data: { inputs: [{ name: "n", label: "", type: "number", required: true, description: "" }] } },
        { id: "label", type: "template", position: at(200), data: { template: "item {{ start.n }}", format: "text" } },
        { id: "end", type: "end", position: at(400), data: { outputs: [{ name: "label", value: "{{ label.text }}" }] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "label" },
        { id: "e2", source: "label", target: "end" },
      ],
    },
    inputs: { n: 72 },
    expected: { label: "item 72" },
  },
  template: {
    graph: {
      version: 1,
      nodes: [
        { id: "start", type: "start", position: at(0), data: { inputs: [{ name: "n", label: "", type: "number", required: true, description: "" }] } },
        { id: "label", type: "template", position: at(200), data: { template: "item {{ start.n }}", format: "text" } },
        {
          id: "check",
          type: "condition",
          position: at(400),
          data: { cases: [{ id: "case_1", logic: "and", rules: [{ left: "start.n", operator: "greater_than", right: "50" }] }] },
        },
        { id: "summary", type: "template", position: at(600), data: { template: "{{ label.text }} ({{ check.branch }})", format: "text" } },
        { id: "end", type: "end", position: at(800), data: { outputs: [{ name: "summary", value: "{{ summary.text }}" }] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "label" },
        { id: "e2", source: "label", target: "check" },
        { id: "e3", source: "check", sourceHandle: "case_1", target: "summary" },
        { id: "e4", source: "check", sourceHandle: "else", target: "summary" },
        { id: "e5", source: "summary", target: "end" },
      ],
    },
    inputs: { n: 72 },
    expected: { summary: "item 72 (case_1)" },
  },
} as const;

export type BenchWorkflow = keyof typeof benchWorkflows;
export const isBenchWorkflow = (name: string): name is BenchWorkflow => name in benchWorkflows;
