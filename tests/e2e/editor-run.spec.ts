import { expect, test, type Page } from "@playwright/test";
import { signUp } from "./helpers";

/**
 * Editor runs: test one node with an edited upstream value, pin an output and run, disable a node,
 * publish two versions, see their diff and restore v1. Template nodes only, so no model is needed.
 */

const graph = (greeting = "Hello") => ({
  version: 1,
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "customer", label: "Customer", type: "string", required: true, description: "" }] } },
    { id: "greet", type: "template", position: { x: 300, y: 0 }, data: { template: `${greeting} {{ start.customer }}`, format: "text" } },
    { id: "shout", type: "template", position: { x: 600, y: 0 }, data: { template: "{{ greet.text | upcase }}", format: "text" } },
    { id: "note", type: "template", position: { x: 900, y: 0 }, data: { template: "Note for {{ start.customer }}", format: "text" } },
    { id: "end", type: "end", position: { x: 1200, y: 0 }, data: { outputs: [{ name: "result", value: "{{ shout.text }}" }] } },
  ],
  edges: [
    { id: "e1", source: "start", target: "greet" },
    { id: "e2", source: "greet", target: "shout" },
    { id: "e3", source: "shout", target: "note" },
    { id: "e4", source: "note", target: "end" },
  ],
});

async function openWorkflow(page: Page, name: string): Promise<string> {
  const created = await page.request.post("/api/workflows", { data: { name, graph: graph() } });
  expect(created.ok()).toBe(true);
  const { id } = (await created.json()) as { id: string };
  await page.goto(`/workflows/${id}`);
  await expect(page.getByTestId("node-shout")).toBeVisible();
  return id;
}

async function runFromEditor(page: Page, customer: string) {
  await page.getByTestId("run-button").click();
  await page.getByRole("dialog").getByLabel("Customer").fill(customer);
  await page.getByTestId("run-submit").click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded");
}

test.beforeEach(async ({ page }) => {
  await signUp(page, "E2E Editor Runs", `e2e-editor-runs-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.test`);
});

test("test one node with an edited upstream value", async ({ page }) => {
  await openWorkflow(page, "Test one node");
  await runFromEditor(page, "Ada");

  await page.getByTestId("node-shout").click();
  const inspector = page.getByTestId("inspector");
  await inspector.getByTestId("node-test-open").click();
  const greet = inspector.getByTestId("node-test-upstream-greet");
  await expect(greet).toHaveValue(/Hello Ada/);
  await greet.fill('{ "text": "edited by hand" }');
  await inspector.getByTestId("node-test-run").click();
  await expect(inspector.getByTestId("node-test-result")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await expect(inspector.getByTestId("node-test-output")).toContainText("EDITED BY HAND");

  // The test is in the run history, labelled as a node test.
  await page.goto("/runs");
  await expect(page.getByTestId("run-row-node-test").first()).toBeVisible();
});

test("pin an output and run", async ({ page }) => {
  await openWorkflow(page, "Pin an output");
  await page.getByTestId("node-shout").click();
  const inspector = page.getByTestId("inspector");
  await inspector.getByTestId("node-pin-edit").click();
  await inspector.getByTestId("node-pin-json").fill('{ "text": "PINNED VALUE" }');
  await inspector.getByTestId("node-pin-save").click();
  await expect(page.getByTestId("node-pinned-shout")).toBeVisible();
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved");

  await runFromEditor(page, "Ada");
  await expect(page.getByTestId("run-output")).toContainText("PINNED VALUE");
  await expect(page.getByTestId("run-step-origin-shout")).toHaveText("pinned");
  await expect(page.getByTestId("node-pinned-shout")).toContainText("Used pinned output");

  // Unpinned, the node runs again.
  await page.getByTestId("node-shout").click();
  await inspector.getByTestId("node-unpin").click();
  await expect(page.getByTestId("node-pinned-shout")).toHaveCount(0);
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved");
  await runFromEditor(page, "Ada");
  await expect(page.getByTestId("run-output")).toContainText("HELLO ADA");
});

test("disable a node", async ({ page }) => {
  await openWorkflow(page, "Disable a node");
  await page.getByTestId("node-note").click();
  await page.getByTestId("inspector").getByTestId("node-disabled-toggle").check();
  await expect(page.getByTestId("node-note")).toHaveAttribute("data-disabled", "true");
  await expect(page.getByTestId("node-disabled-note")).toBeVisible();
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved");

  await runFromEditor(page, "Ada");
  await expect(page.getByTestId("node-note")).toHaveAttribute("data-status", "skipped");
  await expect(page.getByTestId("run-step-origin-note")).toHaveText("disabled");
  await expect(page.getByTestId("run-output")).toContainText("HELLO ADA");

  // Disabling a node whose output is read downstream is reported as a problem.
  await page.getByTestId("node-note").click();
  await page.getByTestId("inspector").getByTestId("node-disabled-toggle").uncheck();
  await page.getByTestId("node-shout").click();
  await page.getByTestId("inspector").getByTestId("node-disabled-toggle").check();
  await expect(page.getByTestId("problems")).toContainText("is disabled");
});

test("publish two versions, see the diff, restore v1", async ({ page }) => {
  const id = await openWorkflow(page, "Versions");
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved");
  await page.getByTestId("publish-button").click();
  await page.getByTestId("publish-note").fill("first cut");
  await page.getByTestId("publish-confirm").click();
  await expect(page.getByTestId("published-version")).toHaveText("v1");

  // Change the greeting through the API (the draft's current revision) and reload the editor.
  const draft = (await (await page.request.get(`/api/workflows/${id}`)).json()) as { revision: number };
  const saved = await page.request.put(`/api/workflows/${id}/graph`, { data: { revision: draft.revision, graph: graph("Hi") } });
  expect(saved.status(), await saved.text()).toBe(200);
  await page.reload();
  await expect(page.getByTestId("node-greet")).toContainText("Hi");
  await page.getByTestId("publish-button").click();
  await page.getByTestId("publish-note").fill("friendlier greeting");
  await page.getByTestId("publish-confirm").click();
  await expect(page.getByTestId("published-version")).toHaveText("v2");

  await page.getByTestId("versions-button").click();
  const dialog = page.getByTestId("versions-dialog");
  await expect(dialog.getByTestId("version-2")).toContainText("friendlier greeting");
  await expect(dialog.getByTestId("version-1")).toContainText("first cut");
  await expect(dialog.getByTestId("version-1")).toContainText("E2E Editor Runs");
  await dialog.getByTestId("diff-from").selectOption("1");
  await dialog.getByTestId("diff-to").selectOption("2");
  await dialog.getByTestId("diff-compare").click();
  await expect(dialog.getByTestId("diff-changed-greet")).toContainText("data.template");
  await expect(dialog.getByTestId("diff-changed-greet")).toContainText("Hi {{ start.customer }}");
  await dialog.getByTestId("diff-highlight").click();
  await expect(page.getByTestId("node-diff-greet")).toHaveAttribute("data-diff", "changed");
  await page.getByTestId("diff-clear").click();
  await expect(page.getByTestId("node-diff-greet")).toHaveCount(0);

  await page.getByTestId("versions-button").click();
  await dialog.getByTestId("version-restore-1").click();
  await dialog.getByTestId("version-restore-confirm-1").click();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("node-greet")).toContainText("Hello");
  // The restore reaches the server through autosave (debounced): "saved" may still be the previous
  // save's status for a moment, so wait for the stored draft itself to equal v1.
  await expect
    .poll(async () => ((await (await page.request.get(`/api/workflows/${id}/diff?from=1&to=draft`)).json()) as { diff: { same: boolean } }).diff.same, { timeout: 20_000 })
    .toBe(true);
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved");
});
