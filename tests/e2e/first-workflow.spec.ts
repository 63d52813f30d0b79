import { expect, test, type Page } from "@playwright/test";
import { E2E_MODEL_PORT } from "./env";
import { addProvider, connect, signUp } from "./helpers";

/**
 * The first end-to-end slice as a user does it: sign up, add a model provider, build
 * Start → LLM → End by drag and drop, configure it, run it, watch it live, find it in Runs.
 */

const targetHandle = (page: Page, nodeId: string) => page.getByTestId(`node-${nodeId}`).locator(".react-flow__handle.target");

test("build, run and inspect an LLM workflow", async ({ page }) => {
  const email = `e2e-${Date.now()}@example.test`;

  // Sign up (a new account gets its own workspace).
  await signUp(page, "E2E Tester", email);

  // A model provider pointing at the OpenAI-wire test server.
  await addProvider(page, "E2E test model", "sk-e2e-secret-key-123456");
  // The key is never sent back to the browser.
  expect(await page.content()).not.toContain("sk-e2e-secret-key-123456");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText(/ms\)|connected|ok/i).first()).toBeVisible();

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
