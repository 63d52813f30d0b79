import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { ReactFlow } from "@xyflow/react";
import { describe, expect, it } from "vitest";
import { Inspector } from "@/components/editor/inspector";
import { EditorStoreProvider } from "@/components/editor/store-context";
import { WeftNodeComponent } from "@/components/editor/weft-node";
import { WaitAnswerForm } from "@/components/runs/wait-answer-form";
import { createEditorStore } from "@/lib/editor/store";
import type { WaitView } from "@/lib/runs/waits";

/** The answer forms and the two node types as the browser first paints them (server-rendered). */
const base: WaitView = {
  id: "w1",
  runId: "r1",
  nodeId: "gate",
  iteration: 0,
  kind: "approval",
  status: "pending",
  request: { title: "Refund ACME?", message: "120 EUR", assigneeRole: "admin", onTimeout: null },
  answer: null,
  answeredBy: null,
  answeredAt: null,
  timeoutAt: null,
  createdAt: "2026-11-29T10:00:00.000Z",
  childRunId: null,
};
const render = (wait: WaitView, canAnswer = true) => renderToStaticMarkup(h(WaitAnswerForm, { wait, canAnswer, onAnswered: () => undefined }));

describe("answer forms", () => {
  it("shows an approval's request with Approve, Reject and a comment box", () => {
    const html = render(base);
    expect(html).toContain("Refund ACME?");
    expect(html).toContain("Only a admin or above may decide.");
    for (const id of ["wait-approve", "wait-reject", "wait-comment"]) expect(html).toContain(`data-testid="${id}"`);
  });

  it("renders one typed input per question field, pre-filled with defaults", () => {
    const html = render({
      ...base,
      nodeId: "ask",
      kind: "question",
      request: {
        title: "",
        prompt: "Ship how?",
        hasTimeout: false,
        fields: [
          { name: "carrier", label: "Carrier", type: "select", required: true, options: ["DHL", "UPS"], default: "UPS", description: "" },
          { name: "parcels", label: "Parcels", type: "number", required: true, options: [], default: null, description: "" },
          { name: "express", label: "Express", type: "boolean", required: false, options: [], default: true, description: "" },
        ],
      },
    });
    expect(html).toContain("Ship how?");
    expect(html).toMatch(/<select[^>]*data-testid="wait-field-carrier"/);
    expect(html).toMatch(/<option value="UPS" selected="">/);
    expect(html).toMatch(/<input[^>]*type="number"[^>]*data-testid="wait-field-parcels"/);
    expect(html).toMatch(/<input[^>]*type="checkbox"[^>]*data-testid="wait-field-express"[^>]*checked=""/);
    expect(html).toContain('data-testid="wait-submit"');
  });

  it("gives viewers the request without a form, and shows a resolved wait's outcome", () => {
    const viewer = render(base, false);
    expect(viewer).toContain("Viewers cannot answer.");
    expect(viewer).not.toContain("wait-approve");
    const done = render({ ...base, status: "answered", answer: { decision: "reject", comment: "too much" }, answeredBy: { kind: "user", id: "u", name: "Alice" }, answeredAt: "2026-11-29T11:00:00.000Z" });
    expect(done).toContain("Rejected");
    expect(done).toContain("by Alice");
    expect(done).toContain("too much");
  });
});

describe("editor", () => {
  it("draws APPROVED and REJECTED handles on an approval node and its panel fields in the inspector", () => {
    const store = createEditorStore({ workflowId: "wf", name: "T", graph: { version: 1, nodes: [], edges: [] }, revision: 0 });
    const id = store.getState().addNode("approval", { x: 0, y: 0 });
    store.getState().selectNode(id);
    const snapshot = { ...store, getInitialState: store.getState };
    const nodes = store.getState().nodes.map((n) => ({ ...n, width: 240, height: 120 }));
    const canvas = renderToStaticMarkup(h(EditorStoreProvider, { store: snapshot, children: h(ReactFlow, { nodes, edges: [], nodeTypes: { weft: WeftNodeComponent }, width: 800, height: 600 }) }));
    expect(canvas).toContain(`data-testid="handle-${id}-approved"`);
    expect(canvas).toContain(`data-testid="handle-${id}-rejected"`);
    expect(canvas).not.toContain(`handle-${id}-timeout`);
    const inspector = renderToStaticMarkup(h(EditorStoreProvider, { store: snapshot, children: h(Inspector) }));
    expect(inspector).toContain("Who may decide");
    expect(inspector).toContain(`data-testid="${id}-timeout-enabled"`);
  });
});
