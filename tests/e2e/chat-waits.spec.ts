import { expect, test, type Page } from "@playwright/test";
import { approvalChatGraph, questionChatGraph } from "../fixtures/chat-wait-graphs";
import { linkChatApp, publishGraph, signUp } from "./helpers";

/**
 * Waits in a chat: a conversational workflow that asks a Question (then an approval) mid-turn.
 * The chat page shows the question as a form inside the answer, keeps it across a reload, and the
 * visitor's answer resumes the run, whose rest streams into the same message. Model-free workflows
 * (created through the studio's API to keep the spec on the chat page).
 */

async function publishChatApp(page: Page, name: string, graph: unknown): Promise<string> {
  return linkChatApp(page, await publishGraph(page, name, graph), name);
}

test("a Question in a chat turn is answered in the chat, also after a reload, and the answer goes on", async ({ page }) => {
  await signUp(page, "Chat Waits", `e2e-chat-waits-${Date.now()}@example.test`);
  const slug = await publishChatApp(page, "E2E bookings", questionChatGraph());

  await page.goto(`/chat/${slug}`);
  await page.getByTestId("chat-input").fill("A trip, please");
  await page.getByTestId("chat-send").click();
  const answer = page.getByTestId("chat-assistant-message").first();
  const form = answer.getByTestId("wait-form-ask");
  await expect(form).toBeVisible({ timeout: 30_000 });
  await expect(answer).toContainText("Let me book that for you.");
  await expect(form).toContainText("Which city, for: A trip, please");
  // While the turn waits, the composer waits for the form; Stop stays offered.
  await expect(page.getByTestId("chat-stop")).toBeVisible();

  // The conversation is in the address: a reload shows the pending form again.
  await expect(page).toHaveURL(/\?c=/);
  await page.reload();
  await expect(page.getByTestId("chat-assistant-message").first().getByTestId("wait-form-ask")).toBeVisible();

  // A blank answer is refused in the form; a city resumes the run and streams into the same message.
  await page.getByTestId("wait-submit").click();
  await expect(page.getByTestId("wait-error")).toBeVisible();
  await page.getByTestId("wait-field-city").fill("Paris");
  await page.getByTestId("wait-submit").click();
  const resumed = page.getByTestId("chat-assistant-message").first();
  await expect(resumed).toHaveAttribute("data-status", "done", { timeout: 30_000 });
  await expect(resumed).toContainText("Booked: Paris.");
  await expect(resumed.getByTestId("chat-wait")).toHaveCount(0);
  await expect(page.getByTestId("chat-assistant-message")).toHaveCount(1);
});

test("an approval in a chat turn shows Approve / Reject with a comment", async ({ page }) => {
  await signUp(page, "Chat Approvals", `e2e-chat-approval-${Date.now()}@example.test`);
  const slug = await publishChatApp(page, "E2E refunds", approvalChatGraph(null));

  await page.goto(`/chat/${slug}`);
  await page.getByTestId("chat-input").fill("Refund order 42");
  await page.getByTestId("chat-send").click();
  const answer = page.getByTestId("chat-assistant-message").first();
  await expect(answer.getByTestId("wait-form-gate")).toBeVisible({ timeout: 30_000 });
  await expect(answer).toContainText("Send the refund?");
  await answer.getByTestId("wait-comment").fill("ok by me");
  await answer.getByTestId("wait-approve").click();
  await expect(answer).toHaveAttribute("data-status", "done", { timeout: 30_000 });
  await expect(answer).toContainText("Refund sent (ok by me).");
});
