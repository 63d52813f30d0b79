import { expect, test, type Page } from "@playwright/test";
import { signUp } from "./helpers";

/**
 * Editing safety nets as a user meets them: undo and redo of a delete (the saved graph is exactly
 * what it was, settings and connections included), copy and paste between two workflows with the
 * ids and references renamed, and Find moving the view to a node. State is checked through the API,
 * i.e. what autosave stored.
 */

/** The stored graph as the API returns it (lib/engine/graph.ts), as far as these checks read it. */
interface Graph {
  version: 1;
  nodes: { id: string; type: string; position: { x: number; y: number }; data: Record<string, unknown>; parentId?: string }[];
  edges: { id: string; source: string; target: string; sourceHandle?: string | null; targetHandle?: string | null }[];
}

const start = { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "question", label: "Question", type: "string", required: true, description: "" }] } };

/** Start → Template → End, the template and the end reading upstream values. */
const linear: Graph = {
  version: 1,
  nodes: [
    start,
    { id: "template", type: "template", position: { x: 320, y: 0 }, data: { title: "Greeting", template: "Hello {{ start.question }}", format: "text" } },
    { id: "end", type: "end", position: { x: 640, y: 0 }, data: { outputs: [{ name: "greeting", value: "{{ template.text }}" }] } },
  ],
  edges: [
    { id: "e1", source: "start", target: "template" },
    { id: "e2", source: "template", target: "end" },
  ],
};

async function createWorkflow(page: Page, name: string, graph: Graph): Promise<string> {
  const response = await page.request.post("/api/workflows", { data: { name, graph } });
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { id: string }).id;
}

async function savedGraph(page: Page, id: string): Promise<Graph> {
  const response = await page.request.get(`/api/workflows/${id}`);
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { graph: Graph }).graph;
}

const nodeIds = (graph: Graph) => graph.nodes.map((n) => n.id);

async function openEditor(page: Page, id: string, firstNode: string) {
  await page.goto(`/workflows/${id}`);
  await expect(page.getByTestId(`node-${firstNode}`)).toBeVisible();
}

test.describe("editor history, clipboard and find", () => {
  test.beforeEach(async ({ page }) => {
    await signUp(page, "History Tester", `e2e-history-${Date.now()}@example.test`);
  });

  test("delete a node, undo it, redo it: the saved graph comes back exactly", async ({ page }) => {
    const id = await createWorkflow(page, "Undo me", linear);
    await openEditor(page, id, "template");
    const original = await savedGraph(page, id);
    await expect(page.getByTestId("undo-button")).toBeDisabled();

    // Select the Template node and delete it with the keyboard: its two connections go with it.
    await page.getByTestId("node-template").click();
    await page.keyboard.press("Delete");
    await expect(page.getByTestId("node-template")).toHaveCount(0);
    await expect(page.locator(".react-flow__edge")).toHaveCount(0);
    await expect.poll(async () => nodeIds(await savedGraph(page, id))).toEqual(["start", "end"]);
    expect((await savedGraph(page, id)).edges).toEqual([]);

    // Undo with the keyboard: node, settings and edges are back, and saved.
    await page.keyboard.press("ControlOrMeta+z");
    await expect(page.getByTestId("node-template")).toBeVisible();
    await expect(page.locator(".react-flow__edge")).toHaveCount(2);
    await expect.poll(async () => savedGraph(page, id)).toEqual(original);

    // Redo deletes it again; the toolbar's Undo restores it once more.
    await page.keyboard.press("ControlOrMeta+Shift+z");
    await expect(page.getByTestId("node-template")).toHaveCount(0);
    await expect.poll(async () => nodeIds(await savedGraph(page, id))).toEqual(["start", "end"]);
    await page.getByTestId("undo-button").click();
    await expect(page.getByTestId("node-template")).toBeVisible();
    await expect.poll(async () => savedGraph(page, id)).toEqual(original);

    // The settings survived: the inspector shows the template text.
    await page.getByTestId("node-template").click();
    await expect(page.getByTestId("inspector")).toHaveAttribute("data-node-id", "template");
    await expect(page.getByTestId("inspector").getByLabel("Title", { exact: true })).toHaveValue("Greeting");
  });

  test("copy two nodes in one workflow and paste them into another: ids and references are renamed", async ({ page }) => {
    const source = await createWorkflow(page, "Copy from", linear);
    // The target already has a node called "template": the pasted one must get another id.
    const target = await createWorkflow(page, "Paste into", {
      version: 1,
      nodes: [start, { id: "template", type: "template", position: { x: 320, y: 0 }, data: { template: "Other {{ start.question }}", format: "text" } }],
      edges: [{ id: "e1", source: "start", target: "template" }],
    });

    await openEditor(page, source, "template");
    // Click one, Shift+click the other: both selected; copy them.
    await page.getByTestId("node-template").click();
    await page.getByTestId("node-end").click({ modifiers: ["Shift"] });
    await expect(page.locator(".react-flow__node.selected")).toHaveCount(2);
    await page.keyboard.press("ControlOrMeta+c");
    await expect(page.getByTestId("canvas-notice")).toContainText("Copied 2 nodes");

    await openEditor(page, target, "template");
    await page.keyboard.press("ControlOrMeta+v");
    await expect(page.getByTestId("node-template_2")).toBeVisible();
    await expect(page.getByTestId("node-end")).toBeVisible();

    await expect.poll(async () => nodeIds(await savedGraph(page, target))).toEqual(["start", "template", "template_2", "end"]);
    const pasted = await savedGraph(page, target);
    const byId = new Map(pasted.nodes.map((n) => [n.id, n]));
    // Settings came along; the End now reads the renamed template; the edge between them too.
    expect(byId.get("template_2")!.data).toEqual({ title: "Greeting", template: "Hello {{ start.question }}", format: "text" });
    expect(byId.get("end")!.data).toEqual({ outputs: [{ name: "greeting", value: "{{ template_2.text }}" }] });
    expect(pasted.edges.map((e) => [e.source, e.target])).toEqual([
      ["start", "template"],
      ["template_2", "end"],
    ]);
    // The target's own template is untouched.
    expect(byId.get("template")!.data).toEqual({ template: "Other {{ start.question }}", format: "text" });

    // The right-click menu duplicates a node; undo takes the duplicate away again.
    await page.getByTestId("node-template").click({ button: "right" });
    await page.getByTestId("menu-duplicate").click();
    await expect(page.getByTestId("node-template_3")).toBeVisible();
    await page.keyboard.press("ControlOrMeta+z");
    await expect(page.getByTestId("node-template_3")).toHaveCount(0);
  });

  test("find a node by its settings and go to it; the outline lists every node", async ({ page }) => {
    const id = await createWorkflow(page, "Find me", {
      ...linear,
      nodes: [
        ...linear.nodes,
        // Far away from the rest: going to it must move the view.
        { id: "template_2", type: "template", position: { x: 6_000, y: 3_000 }, data: { template: "needle-42 {{ start.question }}", format: "text" } },
      ],
    });
    await openEditor(page, id, "start");

    await page.keyboard.press("ControlOrMeta+f");
    const input = page.getByTestId("find-input");
    await expect(input).toBeFocused();
    await input.fill("needle-42");
    await expect(page.getByTestId("find-count")).toContainText("of 1");
    await input.press("Enter");
    await expect(page.getByTestId("find-count")).toContainText("1 of 1");
    await expect(page.getByTestId("inspector")).toHaveAttribute("data-node-id", "template_2");

    // The view is centred on the node.
    const canvas = (await page.getByTestId("canvas").boundingBox())!;
    await expect
      .poll(async () => {
        const box = await page.getByTestId("node-template_2").boundingBox();
        if (!box) return Infinity;
        const dx = box.x + box.width / 2 - (canvas.x + canvas.width / 2);
        const dy = box.y + box.height / 2 - (canvas.y + canvas.height / 2);
        return Math.round(Math.hypot(dx, dy));
      })
      .toBeLessThan(80);

    // An empty search is the outline: every node, click one to go there.
    await input.fill("");
    for (const node of ["start", "template", "end", "template_2"]) await expect(page.getByTestId(`outline-${node}`)).toBeVisible();
    await page.getByTestId("outline-end").click();
    await expect(page.getByTestId("inspector")).toHaveAttribute("data-node-id", "end");

    // "?" shows the shortcuts.
    await page.getByTestId("node-end").click();
    await page.keyboard.press("?");
    await expect(page.getByTestId("shortcuts-dialog")).toContainText("Keyboard shortcuts");
  });
});
