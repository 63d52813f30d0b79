import type { Graph } from "@/lib/engine/graph";

export interface ExampleWorkflow {
  name: string;
  description: string;
  graph: Graph;
}

/**
 * The example workflows a new workspace is seeded with. The integration tests run these exact
 * graphs, so the demo is always known to work.
 */
export function exampleWorkflows(model: { providerId: string; model: string }): ExampleWorkflow[] {
  return [
    {
      name: "Ask the assistant",
      description: "Start → LLM → End: answers a question with the workspace's model.",
      graph: {
        version: 1,
        nodes: [
          {
            id: "start",
            type: "start",
            position: { x: 0, y: 120 },
            data: { inputs: [{ name: "question", label: "Question", type: "string", required: true, description: "" }] },
          },
          {
            id: "llm",
            type: "llm",
            position: { x: 320, y: 120 },
            data: {
              providerId: model.providerId,
              model: model.model,
              systemPrompt: "You are a concise, friendly assistant.",
              userPrompt: "{{ start.question }}",
              temperature: 0.3,
              outputFormat: "text",
              jsonSchema: "",
            },
          },
          { id: "end", type: "end", position: { x: 640, y: 120 }, data: { outputs: [{ name: "answer", value: "{{ llm.text }}" }] } },
        ],
        edges: [
          { id: "e_start_llm", source: "start", target: "llm" },
          { id: "e_llm_end", source: "llm", target: "end" },
        ],
      },
    },
    {
      name: "Route a support ticket",
      description:
        "Start → Template → Condition → one of three branches → Variable aggregator → End: urgent tickets and refunds go to a human, the rest get a standard reply. No model needed.",
      graph: {
        version: 1,
        nodes: [
          {
            id: "start",
            type: "start",
            position: { x: 0, y: 160 },
            data: {
              inputs: [
                { name: "customer", label: "Customer", type: "string", required: true, description: "" },
                { name: "message", label: "Message", type: "string", required: true, description: "" },
                { name: "priority", label: "Priority (1-5)", type: "number", required: true, description: "" },
              ],
            },
          },
          {
            id: "summary",
            type: "template",
            position: { x: 300, y: 160 },
            data: { template: "Ticket from {{ start.customer }} (priority {{ start.priority }}): {{ start.message }}", format: "text" },
          },
          {
            id: "route",
            type: "condition",
            position: { x: 600, y: 160 },
            data: {
              cases: [
                { id: "case_1", logic: "or", rules: [{ left: "start.priority", operator: "greater_or_equal", right: "4" }] },
                { id: "case_2", logic: "and", rules: [{ left: "start.message", operator: "contains", right: "refund" }] },
              ],
            },
          },
          {
            id: "escalate",
            type: "template",
            position: { x: 900, y: 40 },
            data: { template: '{"queue": "on-call", "note": "Escalated: {{ summary.text }}"}', format: "json" },
          },
          {
            id: "billing",
            type: "template",
            position: { x: 900, y: 160 },
            data: { template: '{"queue": "billing", "note": "Refund request: {{ summary.text }}"}', format: "json" },
          },
          {
            id: "standard",
            type: "template",
            position: { x: 900, y: 280 },
            data: { template: '{"queue": "self-service", "note": "Thanks {{ start.customer }}, we will reply within a day."}', format: "json" },
          },
          {
            // Whichever branch ran: the skipped ones have no output, so the first present one wins.
            id: "routed",
            type: "aggregate",
            position: { x: 1200, y: 160 },
            data: { variables: ["escalate.json", "billing.json", "standard.json"] },
          },
          {
            id: "end",
            type: "end",
            position: { x: 1500, y: 160 },
            data: {
              outputs: [
                { name: "summary", value: "{{ summary.text }}" },
                { name: "branch", value: "{{ route.branch }}" },
                { name: "queue", value: "{{ routed.value.queue }}" },
                { name: "note", value: "{{ routed.value.note }}" },
              ],
            },
          },
        ],
        edges: [
          { id: "e1", source: "start", target: "summary" },
          { id: "e2", source: "summary", target: "route" },
          { id: "e3", source: "route", sourceHandle: "case_1", target: "escalate" },
          { id: "e4", source: "route", sourceHandle: "case_2", target: "billing" },
          { id: "e5", source: "route", sourceHandle: "else", target: "standard" },
          { id: "e6", source: "escalate", target: "routed" },
          { id: "e7", source: "billing", target: "routed" },
          { id: "e8", source: "standard", target: "routed" },
          { id: "e9", source: "routed", target: "end" },
        ],
      },
    },
  ];
}
