import { expect, test, type Locator, type Page } from "@playwright/test";
import { E2E_MODEL_PORT } from "./env";

/**
 * The first end-to-end slice as a user does it: sign up, add a model provider, build
 * Start → LLM → End by drag and drop, configure it, run it, watch it live, find it in Runs.
 */

async function connect(page: Page, from: Locator, to: Locator) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error("handle not visible");
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

const targetHandle = (page: Page, nodeId: string) => page.getByTestId(`node-${nodeId}`).locator(".react-flow__handle.target");

test("build, run and inspect an LLM workflow", async ({ page }) => {
  const email = `e2e-${Date.now()}@example.test`;

  // Sign up (a new account gets its own workspace).
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill("E2E Tester");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("e2e-password-123");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/workflows/);

  // A model provider pointing at the OpenAI-wire test server.
  await addProvider(page);

  // A new workflow opens in the editor.
  await page.goto("/workflows");
  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByRole("dialog").getByLabel("Name").fill("E2E assistant");
  await page.getByRole("dialog").getByRole("button", { name: /create/i }).click();
  await expect(page).toHaveURL(/\/workflows\/[0-9a-f-]{36}/);
  await expect(page.getByTestId("canvas")).toBeVisible();

  // Drag Start, LLM and End from the palette onto the canvas.
  const canvas = page.getByTestId("canvas");
  await page.getByTestId("palette-item-start").dragTo(canvas, { targetPosition: { x: 60, y: 150 } });
  await page.getByTestId("palette-item-llm").dragTo(canvas, { targetPosition: { x: 340, y: 150 } });
  await page.getByTestId("palette-item-end").dragTo(canvas, { targetPosition: { x: 620, y: 150 } });
  await expect(page.getByTestId("node-start")).toBeVisible();
  await expect(page.getByTestId("node-llm")).toBeVisible();
  await expect(page.getByTestId("node-end")).toBeVisible();

  // Unconnected nodes are reported before running.
  await expect(page.getByTestId("problems")).toContainText(/not connected|no edges|unreachable/i);

  await connect(page, page.getByTestId("handle-start-out"), targetHandle(page, "llm"));
  await connect(page, page.getByTestId("handle-llm-out"), targetHandle(page, "end"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(2);

  // Configure the LLM node.
  await page.getByTestId("node-llm").click();
  const inspector = page.getByTestId("inspector");
  await inspector.getByLabel("Provider").selectOption({ label: "E2E test model" });
  await inspector.getByLabel("Model").selectOption("e2e-model");
  await inspector.getByLabel("User prompt").fill("Answer briefly: {{ start.question }}");

  // Map the answer in the End node.
  await page.getByTestId("node-end").click();
  await page.getByTestId("inspector").getByLabel("Value").first().fill("{{ llm.text }}");

  await expect(page.getByTestId("problems")).toContainText("No problems");
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved");

  // The graph survived autosave: reload and it is still there.
  await page.reload();
  await expect(page.getByTestId("node-llm")).toBeVisible();
  await expect(page.locator(".react-flow__edge")).toHaveCount(2);

  // Run it and watch every node light up. The model answers slowly enough to watch it stream.
  const answer = "Weft is an open platform where teams draw agent workflows and run them.";
  const scripted = await page.request.post(`http://127.0.0.1:${E2E_MODEL_PORT}/__script`, { data: { text: answer, chunkDelayMs: 250 } });
  expect(scripted.ok()).toBe(true);
  await page.getByTestId("run-button").click();
  await page.getByRole("dialog").getByLabel("Question").fill("What is Weft?");
  await page.getByTestId("run-submit").click();

  await expect(page.getByTestId("node-llm")).toHaveAttribute("data-status", "running");
  await expect(page.getByTestId("node-stream-llm")).toContainText("Weft is an open");
  for (const id of ["start", "llm", "end"]) {
    await expect(page.getByTestId(`node-${id}`)).toHaveAttribute("data-status", "succeeded");
  }
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("run-output")).toContainText(answer);

  // The run is in the history with the LLM step's prompt and tokens.
  await page.getByRole("link", { name: /open in runs/i }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}/);
  const step = page.getByTestId("step-llm");
  await expect(step).toContainText("Prompt tokens");
  await step.getByText(/llm/i).first().click();
  await expect(step).toContainText("Answer briefly: What is Weft?");
  await expect(step).toContainText(answer);

  await page.goto("/runs");
  await expect(page.getByTestId("run-row").first()).toContainText("E2E assistant");
});

async function addProvider(page: Page) {
  await page.goto("/settings/models");
  await page.getByRole("button", { name: "Add provider" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Preset").click();
  await page.getByRole("option", { name: "Custom (OpenAI-compatible)" }).click();
  await dialog.getByLabel("Name").fill("E2E test model");
  await dialog.getByLabel("Base URL").fill(`http://127.0.0.1:${E2E_MODEL_PORT}/v1`);
  await dialog.getByLabel(/API key/).fill("sk-e2e-secret-key-123456");
  await dialog.getByLabel("Models").fill("e2e-model");
  await dialog.getByLabel("Models").press("Enter");
  await dialog.getByRole("button", { name: "Add provider" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("E2E test model")).toBeVisible();
  // The key is never sent back to the browser.
  expect(await page.content()).not.toContain("sk-e2e-secret-key-123456");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText(/ms\)|connected|ok/i).first()).toBeVisible();
}
