import { expect, test, type Page } from "@playwright/test";
import { addProvider, linkChatApp, publishConversationalWorkflow, signUp } from "./helpers";

/**
 * A reload while an answer is being written: the chat page reconnects to the turn (GET
 * /api/chat/<slug>/messages/<id>/stream) and shows the rest of the answer as it streams, with no
 * second reload; Stop works on the reconnected answer too. The e2e model server echoes the last
 * user message in 60 ms chunks a word, so a 100-word message streams for about six seconds.
 */

const longMessage = (tag: string) => Array.from({ length: 100 }, (_, i) => `${tag}${i + 1}`).join(" ");

async function openChatApp(page: Page): Promise<string> {
  await signUp(page, "Chat Reload", `e2e-chat-reload-${Date.now()}@example.test`);
  await addProvider(page, "Reload model", "sk-e2e-reload-key-123456");
  const workflowId = await publishConversationalWorkflow(page, "E2E reload", "Reload model");
  return linkChatApp(page, workflowId, "E2E reload");
}

test("a reload mid-answer follows the answer to its end, and Stop works on it", async ({ page }) => {
  const slug = await openChatApp(page);
  await page.goto(`/chat/${slug}`);
  const answer = page.getByTestId("chat-assistant-message").last();

  await page.getByTestId("chat-input").fill(longMessage("alpha"));
  await page.getByTestId("chat-send").click();
  await expect(answer).toContainText("alpha3", { timeout: 30_000 });
  await expect(page).toHaveURL(/\?c=/);

  // Reloaded while the model writes: the pending answer shows what is written so far and goes on growing.
  await page.reload();
  await expect(answer).toHaveAttribute("data-status", "pending");
  await expect(page.getByTestId("chat-stop")).toBeVisible();
  await expect(answer).toContainText("alpha60", { timeout: 15_000 });
  await expect(answer).toHaveAttribute("data-status", "done", { timeout: 30_000 });
  await expect(answer).toContainText("alpha100 (turn 1)");
  await expect(page.getByTestId("chat-send")).toBeVisible();

  // A second answer, reloaded mid-way, then stopped: the run is cancelled and the composer is back.
  await page.getByTestId("chat-input").fill(longMessage("beta"));
  await page.getByTestId("chat-send").click();
  await expect(answer).toContainText("beta3", { timeout: 30_000 });
  await page.reload();
  await expect(answer).toHaveAttribute("data-status", "pending");
  await page.getByTestId("chat-stop").click();
  await expect(answer).toHaveAttribute("data-status", "cancelled", { timeout: 15_000 });
  await expect(answer).not.toContainText("beta100");
  await expect(page.getByTestId("chat-send")).toBeVisible();
  await expect(page.getByTestId("chat-assistant-message")).toHaveCount(2);
});
