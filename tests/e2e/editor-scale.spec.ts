import { expect, test } from "@playwright/test";
import { largeGraph } from "../../bench/lib/large-graph";
import { signUp } from "./helpers";

/**
 * A 1,000-node workflow imported through the API opens in the editor, shows its nodes and pans;
 * a click opens a node's panel and a move is saved (as a patch: the graph is large). A functional
 * check only: the timings live in the benchmark (bench/editor-scale.ts).
 */
test("a 1,000-node workflow opens, pans, opens a node's panel and saves a move", async ({ page }) => {
  test.setTimeout(240_000);
  const stamp = Date.now();
  await signUp(page, "E2E Scale", `e2e-scale-${stamp}@example.test`);
  const imported = await page.request.post("/api/workflows/import", {
    data: { file: { format: "weft.workflow", version: 1, name: "Thousand nodes", graph: largeGraph(1_000) } },
  });
  expect(imported.status()).toBe(201);
  const { id } = (await imported.json()) as { id: string };

  await page.goto(`/workflows/${id}`);
  const canvas = page.getByTestId("canvas");
  await expect(page.getByTestId("node-start")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved");
  // Only the nodes in view are on the page (React Flow's onlyRenderVisibleElements), never all 1,000.
  await expect.poll(async () => page.locator(".react-flow__node").count(), { timeout: 30_000 }).toBeLessThan(1_000);

  // Pan: drag the empty pane; the viewport's transform changes and other nodes come into view.
  const viewport = page.locator(".react-flow__viewport");
  const before = await viewport.getAttribute("style");
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width - 40, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 40, box.y + box.height / 2 - 200, { steps: 30 });
  await page.mouse.up();
  await expect.poll(async () => viewport.getAttribute("style")).not.toBe(before);
  await expect(page.locator(".react-flow__node").first()).toBeVisible();

  // A click on a node opens its panel: one that lies wholly inside the canvas (rendered nodes near
  // the edges are partly under the header or the panels).
  const canvasBox = (await canvas.boundingBox())!;
  const rendered = page.locator(".react-flow__node").filter({ has: page.locator('[data-node-type="template"]') });
  let nodeId = "";
  for (let i = 0; i < (await rendered.count()) && !nodeId; i++) {
    const b = await rendered.nth(i).boundingBox();
    const inside = b && b.x > canvasBox.x + 60 && b.y > canvasBox.y + 60 && b.x + b.width < canvasBox.x + canvasBox.width - 200 && b.y + b.height < canvasBox.y + canvasBox.height - 120;
    if (inside) nodeId = (await rendered.nth(i).getAttribute("data-id"))!;
  }
  expect(nodeId).not.toBe("");
  const node = page.locator(`.react-flow__node[data-id="${nodeId}"]`);
  await node.locator(`[data-testid="node-${nodeId}"] span`).first().click();
  await expect(page.getByTestId("inspector")).toHaveAttribute("data-node-id", nodeId);

  // Moving it is saved, as a patch of the large graph.
  const patch = page.waitForRequest((request) => request.url().endsWith(`/api/workflows/${id}/graph`) && request.method() === "PATCH");
  const nodeBox = (await node.boundingBox())!;
  await page.mouse.move(nodeBox.x + 40, nodeBox.y + 12);
  await page.mouse.down();
  await page.mouse.move(nodeBox.x + 140, nodeBox.y + 92, { steps: 10 });
  await page.mouse.up();
  const sent = await patch;
  const body = JSON.parse(sent.postData() ?? "{}") as { patch?: { upsertNodes?: { id: string }[] } };
  expect(body.patch?.upsertNodes?.map((n) => n.id)).toEqual([nodeId]);
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved", { timeout: 30_000 });
});
