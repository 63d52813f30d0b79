import { expect, test } from "@playwright/test";
import { makePdf } from "../fixtures/knowledge-files";
import { E2E_MODEL_PORT } from "./env";
import { signUp } from "./helpers";

/**
 * A developer builds a knowledge base in the browser: picks an embedding model, uploads a PDF and a
 * Markdown file at once, watches them index, and tests retrieval in the three modes side by side.
 * Then a workflow's Knowledge node retrieves from it, and the run page shows the cited chunks.
 * The embeddings come from the OpenAI-wire test server (lexical vectors).
 */
test("create a knowledge base, upload a PDF and a Markdown file, watch them index, test retrieval, cite it from a workflow", async ({ page }) => {
  const stamp = Date.now();
  await signUp(page, "E2E Knowledge", `e2e-knowledge-${stamp}@example.test`);
  const provider = await page.request.post("/api/providers", {
    data: { name: "E2E embeddings", preset: "custom", baseUrl: `http://127.0.0.1:${E2E_MODEL_PORT}/v1`, apiKey: "sk-e2e-embed-123456", models: ["e2e-model", "e2e-embedding"] },
  });
  expect(provider.ok()).toBe(true);

  // Knowledge → New knowledge base, with the embedding model of the provider.
  await page.getByRole("link", { name: "Knowledge" }).click();
  await expect(page).toHaveURL(/\/knowledge$/);
  await page.getByTestId("new-knowledge-base").click();
  await page.getByTestId("kb-name").fill("Handbook");
  await page.getByTestId("kb-description").fill("Company policies");
  await page.getByTestId("kb-embedding-model").click();
  await page.getByRole("option", { name: /e2e-embedding/ }).click();
  await page.getByTestId("kb-create-submit").click();
  await expect(page).toHaveURL(/\/knowledge\/[0-9a-f-]{36}/);

  // Two files at once: each shows its own status until indexed.
  const pdf = makePdf([
    ["Leave policy", "Every employee gets twenty five vacation days per year."],
    ["Parental leave", "Parents may take sixteen weeks of paid parental leave."],
  ]);
  const markdown = "# Expenses\n\nTravel expenses are reimbursed within thirty days when receipts are attached.\n";
  await page.getByTestId("upload-files").setInputFiles([
    { name: "leave-policy.pdf", mimeType: "application/pdf", buffer: pdf },
    { name: "expenses.md", mimeType: "text/markdown", buffer: Buffer.from(markdown) },
  ]);
  const pdfRow = page.getByTestId("document-row").filter({ hasText: "leave-policy.pdf" });
  const mdRow = page.getByTestId("document-row").filter({ hasText: "expenses.md" });
  await expect(pdfRow).toHaveAttribute("data-status", "indexed", { timeout: 60_000 });
  await expect(mdRow).toHaveAttribute("data-status", "indexed", { timeout: 60_000 });

  // A file nobody can index fails alone, with its reason.
  await page.getByTestId("upload-files").setInputFiles([{ name: "empty.txt", mimeType: "text/plain", buffer: Buffer.from("   ") }]);
  const emptyRow = page.getByTestId("document-row").filter({ hasText: "empty.txt" });
  await expect(emptyRow).toHaveAttribute("data-status", "failed", { timeout: 60_000 });
  await expect(emptyRow).toContainText(/empty|no text/i);
  await expect(pdfRow).toHaveAttribute("data-status", "indexed");

  // Test retrieval: the vacation question finds the PDF's first page in every mode.
  await page.getByTestId("retrieval-query").fill("How many vacation days does an employee get?");
  await page.getByTestId("retrieval-search").click();
  for (const mode of ["vector", "keyword", "hybrid"]) {
    const first = page.getByTestId(`retrieval-${mode}`).getByTestId("retrieval-chunk").first();
    await expect(first).toContainText("twenty five vacation days");
    await expect(first).toContainText("leave-policy.pdf");
  }

  // A workflow Start → Knowledge → End, run from the editor: the run page lists the cited sources.
  const knowledgeBaseId = new URL(page.url()).pathname.split("/").pop()!;
  const graph = {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "question", label: "Question", type: "string", required: true, description: "" }] } },
      { id: "knowledge", type: "knowledge", position: { x: 300, y: 0 }, data: { knowledgeBaseIds: [knowledgeBaseId], query: "{{ start.question }}", mode: "hybrid", topK: 3, filter: [] } },
      { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "context", value: "{{ knowledge.context }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "knowledge" },
      { id: "e2", source: "knowledge", target: "end" },
    ],
  };
  const workflow = (await (await page.request.post("/api/workflows", { data: { name: "Ask the handbook", graph } })).json()) as { id: string };
  await page.goto(`/workflows/${workflow.id}`);
  await page.getByTestId("node-knowledge").click();
  await expect(page.getByTestId("inspector").getByLabel(/Handbook/)).toBeChecked();
  await expect(page.getByTestId("problems")).toContainText("No problems");
  await page.getByTestId("run-button").click();
  await page.getByRole("dialog").getByLabel("Question").fill("How many vacation days per year?");
  await page.getByTestId("run-submit").click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("run-output")).toContainText("[1]");
  await page.getByRole("link", { name: /open in runs/i }).click();
  const step = page.getByTestId("step-knowledge");
  await step.locator("summary").click();
  await expect(step.getByTestId("citation").first()).toContainText("leave-policy.pdf");
});
