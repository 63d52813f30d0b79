import { expect, test } from "@playwright/test";
import { addProvider, publishConversationalWorkflow, signUp } from "./helpers";

/**
 * A chat app as a user does it: a conversational workflow (created through the studio's API to
 * keep the spec on the chat part: helpers.ts), published,
 * given a chat app in the editor's Chat app dialog, then a two-turn conversation on its page with
 * streamed answers, thumbs down with a comment, and the feedback on the run page.
 * The e2e model server echoes the last user message in 60 ms chunks.
 */

test("publish a conversational workflow as a chat app, chat, give feedback, see it on the run", async ({ page }) => {
  await signUp(page, "Chat Owner", `e2e-chat-${Date.now()}@example.test`);
  await addProvider(page, "Chat model", "sk-e2e-chat-key-123456");
  const workflowId = await publishConversationalWorkflow(page, "E2E helpdesk", "Chat model");

  // The editor's Chat app dialog publishes it at /chat/<slug>, open to anyone with the link.
  await page.goto(`/workflows/${workflowId}`);
  await page.getByTestId("chat-app-button").click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Title").fill("E2E Helpdesk");
  await dialog.getByLabel("Welcome text").fill("Ask me anything.");
  await dialog.getByLabel("Suggested opening questions").fill("What can you do?");
  await dialog.getByLabel("Who can chat").selectOption("link");
  await dialog.getByTestId("chat-app-save").click();
  const link = dialog.getByTestId("chat-app-link");
  await expect(link).toBeVisible();
  const chatUrl = (await link.getAttribute("href"))!;
  const slug = chatUrl.split("/chat/")[1]!;

  await page.goto(`/chat/${slug}`);
  await expect(page.getByRole("heading", { name: "E2E Helpdesk" })).toBeVisible();
  await expect(page.getByText("Ask me anything.")).toBeVisible();
  await expect(page.getByTestId("chat-suggestion")).toHaveText("What can you do?");

  // Turn 1: the answer streams (the Stop button shows while it is written), then is stored.
  // The echo of a 16-word message streams for about a second (60 ms a chunk), long enough to see Stop.
  await page.getByTestId("chat-input").fill("Hello **there**, please answer with a long reply so that the streaming can be watched live");
  await page.getByTestId("chat-send").click();
  await expect(page.getByTestId("chat-stop")).toBeVisible();
  const answers = page.getByTestId("chat-assistant-message");
  await expect(answers.first()).toHaveAttribute("data-status", "done", { timeout: 30_000 });
  await expect(answers.first()).toContainText("(turn 1)");
  // Markdown is rendered (bold), not shown as asterisks.
  await expect(answers.first().locator("strong")).toHaveText("there");

  // Turn 2 in the same conversation: the conversation variable counts on.
  await page.getByTestId("chat-input").fill("Second question");
  await page.getByTestId("chat-send").click();
  await expect(answers.nth(1)).toHaveAttribute("data-status", "done", { timeout: 30_000 });
  await expect(answers.nth(1)).toContainText("Second question (turn 2)");
  await expect(page.getByTestId("chat-conversations").getByRole("listitem")).toHaveCount(1);

  // Thumbs down with a comment on the second answer.
  await answers.nth(1).getByTestId("chat-thumbs-down").click();
  await answers.nth(1).getByTestId("chat-feedback-comment").fill("Needs more detail");
  await answers.nth(1).getByTestId("chat-feedback-send").click();
  await expect(answers.nth(1)).toContainText("“Needs more detail”");

  // The admin sees it on the turn's run.
  const { conversations } = (await (await page.request.get(`/api/chat/${slug}`)).json()) as { conversations: { id: string }[] };
  const { messages } = (await (await page.request.get(`/api/chat/${slug}/conversations/${conversations[0]!.id}`)).json()) as { messages: { role: string; runId: string | null }[] };
  const runId = messages.filter((m) => m.role === "assistant")[1]!.runId!;
  await page.goto(`/runs/${runId}`);
  await expect(page.getByTestId("run-status")).toHaveText(/succeeded/i);
  const turn = page.getByTestId("run-chat-turn");
  await expect(turn).toContainText("Second question");
  await expect(page.getByTestId("run-chat-feedback")).toContainText("Needs more detail");
  await expect(page.getByTestId("run-chat-feedback").getByLabel("Thumbs down")).toBeVisible();
});
