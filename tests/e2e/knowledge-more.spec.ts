import { expect, type Page, test } from "@playwright/test";
import { E2E_MODEL_PORT } from "./env";
import { signUp } from "./helpers";

/**
 * More of the knowledge journey (tests/e2e/knowledge.spec.ts has the first part):
 * (a) two files dropped on the Knowledge page's drop zone index with progress pushed live by the
 *     worker (no polling), the embedding stage showing its chunk count as batches finish;
 * (b) an Agent with a knowledge base as a tool, run from the editor: the model (the OpenAI-wire
 *     test server, scripted) calls `search_handbook`, and the trace shows the call with its citations.
 */

const MODEL_SERVER = `http://127.0.0.1:${E2E_MODEL_PORT}`;

/** A provider on the e2e model server with a chat and an embedding model, and a knowledge base embedded by it. */
async function knowledgeBaseOverApi(page: Page, name: string, chunking: { chunkSize: number; chunkOverlap: number }) {
  const provider = await page.request.post("/api/providers", {
    data: { name: `E2E models ${Date.now()}`, preset: "custom", baseUrl: `${MODEL_SERVER}/v1`, apiKey: "sk-e2e-embed-123456", models: ["e2e-model", "e2e-embedding"] },
  });
  expect(provider.ok()).toBe(true);
  const providerId = ((await provider.json()) as { id: string }).id;
  const created = await page.request.post("/api/knowledge-bases", { data: { name, description: "Company policies", embedding: { providerId, model: "e2e-embedding" }, ...chunking } });
  expect(created.ok()).toBe(true);
  return { providerId, knowledgeBaseId: ((await created.json()) as { id: string }).id };
}

/** A Markdown file of many sections: enough chunks for several embedding batches. */
function longPolicies(sections: number): string {
  const parts = ["# Policies"];
  for (let n = 1; n <= sections; n++) {
    parts.push(`## Policy ${n}\n\nPolicy number ${n} says that requests of kind ${n} are answered within ${n % 9 + 1} working days by the team on duty, that receipts are kept for ten years, and that exceptions need a written approval from a manager of the department concerned.`);
  }
  return parts.join("\n\n");
}

test("drop two files on the Knowledge page and watch both index with live progress", async ({ page }) => {
  const stamp = Date.now();
  await signUp(page, "E2E Knowledge Drop", `e2e-knowledge-drop-${stamp}@example.test`);
  const { knowledgeBaseId } = await knowledgeBaseOverApi(page, "Policies", { chunkSize: 300, chunkOverlap: 0 });

  // Progress arrives over the page's event stream; the document list is not re-read on a timer.
  let listReads = 0;
  page.on("request", (request) => {
    if (request.method() === "GET" && new URL(request.url()).pathname === `/api/knowledge-bases/${knowledgeBaseId}/documents`) listReads += 1;
  });
  const stream = page.waitForRequest((request) => new URL(request.url()).pathname === `/api/knowledge-bases/${knowledgeBaseId}/events`);
  await page.goto(`/knowledge/${knowledgeBaseId}`);
  await stream;

  // Slow embedding answers (the worker embeds in batches of 64) so the embedding stage can be watched.
  await page.request.post(`${MODEL_SERVER}/__reset`);
  await page.request.post(`${MODEL_SERVER}/__embedding-delay`, { data: { ms: 1500 } });
  try {
    const dataTransfer = await page.evaluateHandle(
      ([big, small]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([big], "policies.md", { type: "text/markdown" }));
        transfer.items.add(new File([small], "faq.txt", { type: "text/plain" }));
        return transfer;
      },
      [longPolicies(160), "Questions and answers.\n\nThe office opens at eight and closes at six. Visitors sign in at the reception."] as const,
    );
    const zone = page.getByTestId("upload-drop-zone");
    await zone.dispatchEvent("dragenter", { dataTransfer });
    await zone.dispatchEvent("dragover", { dataTransfer });
    await zone.dispatchEvent("drop", { dataTransfer });

    const bigRow = page.getByTestId("document-row").filter({ hasText: "policies.md" });
    const smallRow = page.getByTestId("document-row").filter({ hasText: "faq.txt" });
    await expect(bigRow).toBeVisible();
    await expect(smallRow).toBeVisible();
    await expect(page.getByTestId("ingesting-note")).toHaveAttribute("data-live", "live");

    // The embedding stage shows its count while batches finish: "n of total", n below total at first.
    await expect(bigRow).toHaveAttribute("data-status", "embedding", { timeout: 60_000 });
    const progress = bigRow.locator('[aria-label$="chunks embedded"]');
    await expect(progress).toBeVisible();
    const first = /^(\d+) of (\d+)/.exec((await progress.getAttribute("aria-label")) ?? "");
    expect(first).not.toBeNull();
    const total = Number(first![2]);
    expect(total).toBeGreaterThan(64);
    expect(Number(first![1])).toBeLessThan(total);
    const readsWhileEmbedding = listReads;

    await expect(smallRow).toHaveAttribute("data-status", "indexed", { timeout: 60_000 });
    await expect(bigRow).toHaveAttribute("data-status", "indexed", { timeout: 60_000 });
    await expect(bigRow).toContainText(String(total));
    await expect(page.getByTestId("ingesting-note")).toHaveCount(0);
    // Every change after that point was pushed: no list was read while the embedding went on.
    expect(listReads).toBe(readsWhileEmbedding);
  } finally {
    await page.request.post(`${MODEL_SERVER}/__reset`);
  }
});

test("an Agent searches a knowledge base as a tool; the trace shows the search_<kb> call with citations", async ({ page }) => {
  const stamp = Date.now();
  await signUp(page, "E2E Knowledge Agent", `e2e-knowledge-agent-${stamp}@example.test`);
  const { providerId, knowledgeBaseId } = await knowledgeBaseOverApi(page, "Handbook", { chunkSize: 400, chunkOverlap: 40 });
  const added = await page.request.post(`/api/knowledge-bases/${knowledgeBaseId}/documents/text`, {
    data: { name: "leave.md", text: "# Leave\n\n## Vacation\n\nEvery employee gets twenty five vacation days per year.\n\n## Sick leave\n\nCall your manager before nine.\n", format: "markdown" },
  });
  expect(added.ok()).toBe(true);
  await expect
    .poll(async () => ((await (await page.request.get(`/api/knowledge-bases/${knowledgeBaseId}/documents`)).json()) as { documents: { status: string }[] }).documents[0]?.status, { timeout: 60_000 })
    .toBe("indexed");

  const graph = {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "question", label: "Question", type: "string", required: true, description: "" }] } },
      {
        id: "agent",
        type: "agent",
        position: { x: 300, y: 0 },
        data: { providerId, model: "e2e-model", temperature: 0, systemPrompt: "Answer from the handbook and cite it.", userPrompt: "{{ start.question }}", tools: [], knowledgeBases: [knowledgeBaseId], maxIterations: 3 },
      },
      { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "answer", value: "{{ agent.text }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "agent" },
      { id: "e2", source: "agent", target: "end" },
    ],
  };
  const workflow = (await (await page.request.post("/api/workflows", { data: { name: "Handbook agent", graph } })).json()) as { id: string };
  await page.goto(`/workflows/${workflow.id}`);
  await page.getByTestId("node-agent").click();
  const inspector = page.getByTestId("inspector");
  await expect(inspector.getByLabel(/Handbook/)).toBeChecked();
  await expect(inspector).toContainText("Tool search_handbook");
  await expect(page.getByTestId("problems")).toContainText("No problems");

  // The model searches the handbook, then answers citing what the search returned.
  await page.request.post(`${MODEL_SERVER}/__reset`);
  await page.request.post(`${MODEL_SERVER}/__script`, {
    data: [{ toolCalls: [{ id: "call_kb", name: "search_handbook", arguments: { query: "vacation days per year", top_k: 2 } }] }, { text: "Every employee gets twenty five vacation days per year [1]." }],
  });
  await page.getByTestId("run-button").click();
  await page.getByRole("dialog").getByLabel("Question").fill("How many vacation days do I get?");
  await page.getByTestId("run-submit").click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("run-output")).toContainText("twenty five vacation days per year [1]");

  await page.getByRole("link", { name: /open in runs/i }).click();
  const step = page.getByTestId("step-agent");
  await expect(step).toHaveAttribute("data-status", "succeeded");
  await step.locator("summary").click();
  const call = step.getByTestId("agent-tool-call");
  await expect(call).toContainText("search_handbook");
  await expect(call).toContainText("vacation days per year");
  const citation = call.getByTestId("citation").first();
  await expect(citation).toContainText("leave.md");
  await expect(citation).toContainText("[1]");
  await expect(step.getByTestId("agent-answer")).toContainText("[1]");
});
