import { expect, test } from "@playwright/test";
import { addProvider, linkChatApp, providerIdByName, publishGraph, signUp } from "./helpers";

/**
 * What the chat page shows while an answer is written: the model that feeds an Answer previews it
 * as it will read (the Answer's leading text first, then the model's words as they come), and a
 * model whose text the answer does not show (a classifier here) shows nothing. The e2e model
 * server echoes the last user message ("Echo: …") in 60 ms chunks, so the classifier says "Echo: Topic of: …".
 */
test("the chat previews a fed Answer as it will read and never shows a classifier's text", async ({ page }) => {
  await signUp(page, "Preview Owner", `e2e-preview-${Date.now()}@example.test`);
  await addProvider(page, "Preview model", "sk-e2e-preview-key-123456");
  const providerId = await providerIdByName(page, "Preview model");
  const llm = (id: string, x: number, userPrompt: string) => ({ id, type: "llm", position: { x, y: 0 }, data: { providerId, model: "e2e-model", systemPrompt: "", userPrompt, temperature: 0 } });
  const workflowId = await publishGraph(page, "E2E preview", {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [], conversation: { enabled: true, variables: [] } } },
      llm("classify", 220, "Topic of: {{ start.message }}"),
      llm("writer", 440, "{{ start.message }} ({{ classify.text | size }} characters of topic)"),
      { id: "reply", type: "answer", position: { x: 660, y: 0 }, data: { text: "Sure: {{ writer.text }}" } },
      { id: "end", type: "end", position: { x: 880, y: 0 }, data: { outputs: [{ name: "answer", value: "{{ writer.text }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "classify" },
      { id: "e2", source: "classify", target: "writer" },
      { id: "e3", source: "writer", target: "reply" },
      { id: "e4", source: "reply", target: "end" },
    ],
  });
  const slug = await linkChatApp(page, workflowId, "E2E preview");

  await page.goto(`/chat/${slug}`);
  // Every text the answer bubble shows while it is written, recorded in the page itself.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenAnswers: string[] }).seenAnswers = seen;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-testid="chat-assistant-message"]')) seen.push(el.textContent ?? "");
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByTestId("chat-input").fill("please write a long reply so that the preview can be watched while it streams");
  await page.getByTestId("chat-send").click();

  const answer = page.getByTestId("chat-assistant-message").first();
  // While the writer streams (Stop is shown), the bubble already reads "Sure: Echo: please write…".
  await expect(page.getByTestId("chat-stop")).toBeVisible();
  await expect(answer).toContainText("Sure: Echo: please write");
  await expect(answer).toHaveAttribute("data-status", "done", { timeout: 30_000 });
  await expect(answer).toContainText("Sure: Echo: please write a long reply so that the preview can be watched while it streams (");

  const seen = await page.evaluate(() => (window as unknown as { seenAnswers: string[] }).seenAnswers);
  const previews = seen.filter((text) => text.startsWith("Sure: ") && !text.includes("characters of topic"));
  expect(previews.length, "the bubble grew while the writer streamed").toBeGreaterThan(1);
  expect(seen.some((text) => text.includes("Topic of")), `a classifier's text reached the chat: ${seen.find((t) => t.includes("Topic of"))}`).toBe(false);
  // Every state of the bubble read as the Answer will: its leading text first (or "Thinking…" before any).
  expect(seen.filter((text) => text && !text.startsWith("Thinking")).every((text) => text.startsWith("Sure: "))).toBe(true);
});
