import { expect, test, type Page } from "@playwright/test";
import { addProvider, linkChatApp, providerIdByName, publishGraph, signUp } from "./helpers";

/**
 * A chat app whose workflow hands the question to a sub-workflow: the sub-workflow's Answer node
 * (fed by its own LLM, streaming) speaks in the chat between the parent's two answers, live and
 * after a reload. The e2e model server answers "Echo: " and the last user message, a word at a time.
 */

const at = (x: number) => ({ x, y: 0 });
type Node = { id: string; type: string; position: { x: number; y: number }; data: Record<string, unknown> };
const linear = (nodes: Node[]) => ({ version: 1, nodes, edges: nodes.slice(1).map((node, i) => ({ id: `e${i + 1}`, source: nodes[i]!.id, target: node.id })) });

async function openNestedChatApp(page: Page): Promise<string> {
  await signUp(page, "Chat Sub", `e2e-chat-sub-${Date.now()}@example.test`);
  await addProvider(page, "Sub model", "sk-e2e-sub-key-123456");
  const providerId = await providerIdByName(page, "Sub model");
  const child = await publishGraph(
    page,
    "E2E travel desk",
    linear([
      { id: "start", type: "start", position: at(0), data: { inputs: [{ name: "question", label: "Question", type: "string", required: true, description: "" }] } },
      { id: "llm", type: "llm", position: at(220), data: { providerId, model: "e2e-model", systemPrompt: "", userPrompt: "{{ start.question }}", temperature: 0 } },
      { id: "reply", type: "answer", position: at(440), data: { text: "Desk says: {{ llm.text }}" } },
      { id: "end", type: "end", position: at(660), data: { outputs: [{ name: "text", value: "{{ llm.text }}" }] } },
    ]),
  );
  const parent = await publishGraph(
    page,
    "E2E concierge",
    linear([
      { id: "start", type: "start", position: at(0), data: { inputs: [], conversation: { enabled: true, variables: [] } } },
      { id: "hello", type: "answer", position: at(220), data: { text: "Asking the travel desk." } },
      { id: "desk", type: "subworkflow", position: at(440), data: { workflowId: child, inputs: [{ name: "question", value: "{{ start.message }}" }] } },
      { id: "bye", type: "answer", position: at(660), data: { text: "Anything else?" } },
      { id: "end", type: "end", position: at(880), data: { outputs: [] } },
    ]),
  );
  return linkChatApp(page, parent, "E2E concierge");
}

test("a sub-workflow's Answer speaks in the chat between the parent's answers, also after a reload", async ({ page }) => {
  const slug = await openNestedChatApp(page);
  await page.goto(`/chat/${slug}`);
  const answer = page.getByTestId("chat-assistant-message").last();

  await page.getByTestId("chat-input").fill("two seats to Lisbon on Friday");
  await page.getByTestId("chat-send").click();
  await expect(answer).toHaveAttribute("data-status", "done", { timeout: 30_000 });
  const text = await answer.innerText();
  const order = ["Asking the travel desk.", "Desk says: Echo: two seats to Lisbon on Friday", "Anything else?"].map((part) => text.indexOf(part));
  expect(order.every((index) => index >= 0)).toBe(true);
  expect(order).toEqual([...order].sort((a, b) => a - b));

  // The stored answer is what was shown: the same three parts after a reload.
  await page.reload();
  const stored = page.getByTestId("chat-assistant-message").last();
  await expect(stored).toContainText("Asking the travel desk.");
  await expect(stored).toContainText("Desk says: Echo: two seats to Lisbon on Friday");
  await expect(stored).toContainText("Anything else?");
});
