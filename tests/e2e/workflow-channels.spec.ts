import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

/**
 * The workflow details dialog's channel settings: the slug (OpenAI model name, MCP tool name) made
 * from the name, edited with validation, and "expose as tool" (the account's owner may publish).
 */
test("edit a workflow's slug and expose it as a tool", async ({ page }) => {
  await signUp(page, "Channels Tester", `e2e-channels-${Date.now()}@example.test`);
  await page.goto("/workflows");
  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByRole("dialog").getByLabel("Name").fill("Refund Bot");
  await page.getByRole("dialog").getByRole("button", { name: /create/i }).click();
  await expect(page).toHaveURL(/\/workflows\/[0-9a-f-]{36}/);

  await page.goto("/workflows");
  const row = page.getByTestId("workflow-row").filter({ hasText: "Refund Bot" });
  await row.getByTitle("Rename").click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByLabel("Slug")).toHaveValue("refund-bot");
  await expect(dialog.getByLabel("Expose as tool")).not.toBeChecked();

  // A slug with capitals and a space is refused with the rule, and nothing is saved.
  await dialog.getByLabel("Slug").fill("Refund Agent");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByRole("alert")).toContainText("lower-case letters");

  await dialog.getByLabel("Slug").fill("refund-agent");
  await dialog.getByLabel("Expose as tool").check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();

  await page.reload();
  await page.getByTestId("workflow-row").filter({ hasText: "Refund Bot" }).getByTitle("Rename").click();
  await expect(page.getByRole("dialog").getByLabel("Slug")).toHaveValue("refund-agent");
  await expect(page.getByRole("dialog").getByLabel("Expose as tool")).toBeChecked();
});
