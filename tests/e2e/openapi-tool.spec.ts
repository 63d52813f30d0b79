import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { startCountingServer } from "../fixtures/counting-server";
import { GITHUB_SIZE_OPERATIONS, githubSizeSpec } from "../fixtures/openapi/generate-github-size";
import { E2E_MODEL_PORT } from "./env";
import { signUp } from "./helpers";

/**
 * A developer registers a tool from an OpenAPI document on the Tools page, an Agent node uses it
 * (the model is the OpenAI-wire test server, scripted to call the tool), and the run's trace shows
 * the tool call with the API's answer.
 */
const spec = readFileSync(new URL("../fixtures/openapi/petstore-swagger2.json", import.meta.url), "utf8");

test("import an OpenAPI tool, use it in an Agent, see the tool call in the run's trace", async ({ page }) => {
  const petApi = await startCountingServer();
  petApi.on("/api/pets/7", { body: { id: 7, name: "Rex", tag: "dog" } });
  try {
    await signUp(page, "E2E Tools", `e2e-tools-${Date.now()}@example.test`);

    // Tools page → Import OpenAPI: paste, read, choose one operation, point it at the test API.
    await page.getByRole("link", { name: "Tools" }).click();
    await expect(page).toHaveURL(/\/tools/);
    await page.getByTestId("import-openapi").click();
    const dialog = page.getByRole("dialog");
    await dialog.getByTestId("openapi-text").fill(spec);
    await dialog.getByTestId("openapi-read").click();
    await expect(dialog.getByTestId("openapi-operations")).toContainText("/pets/{petId}");
    await dialog.getByLabel("Search operations").fill("find a pet");
    await expect(dialog.getByTestId("openapi-operations").locator("li")).toHaveCount(1);
    await dialog.getByLabel("Search operations").fill("");
    await dialog.getByRole("button", { name: "None" }).click();
    await dialog.getByLabel("GET /pets/{petId}").check();
    await expect(dialog.getByText("1 chosen")).toBeVisible();
    await dialog.getByTestId("openapi-base-url").fill(`${petApi.url}/api`);
    await dialog.getByLabel("Type").selectOption("none");
    await dialog.getByTestId("openapi-import-submit").click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("tools-table")).toContainText("getPet");
    await expect(page.getByTestId("tools-table")).toContainText("from Petstore (Swagger 2.0)");

    // The console calls it like an agent would.
    await page.getByRole("button", { name: "Test getPet" }).click();
    await page.getByTestId("tool-console-input").fill('{ "petId": 7 }');
    await page.getByTestId("tool-console-run").click();
    await expect(page.getByTestId("tool-console-result")).toContainText("Rex");
    await page.keyboard.press("Escape");

    // A provider on the OpenAI-wire test server and a workflow Start → Agent (with the tool) → End.
    const tools = (await (await page.request.get("/api/tools")).json()) as { tools: { id: string; name: string }[] };
    const toolId = tools.tools.find((t) => t.name === "getPet")!.id;
    const provider = (await (
      await page.request.post("/api/providers", {
        data: { name: "E2E tools model", preset: "custom", baseUrl: `http://127.0.0.1:${E2E_MODEL_PORT}/v1`, apiKey: "sk-e2e-tools-123456", models: ["e2e-model"] },
      })
    ).json()) as { id: string };
    const graph = {
      version: 1,
      nodes: [
        { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "question", label: "Question", type: "string", required: true, description: "" }] } },
        { id: "agent", type: "agent", position: { x: 300, y: 0 }, data: { providerId: provider.id, model: "e2e-model", systemPrompt: "", userPrompt: "{{ start.question }}", tools: [toolId] } },
        { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "answer", value: "{{ agent.text }}" }] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "agent" },
        { id: "e2", source: "agent", target: "end" },
      ],
    };
    const workflow = (await (await page.request.post("/api/workflows", { data: { name: "Pet agent", graph } })).json()) as { id: string };
    await page.goto(`/workflows/${workflow.id}`);
    await expect(page.getByTestId("node-agent")).toBeVisible();

    // The model calls the tool, then answers with what it returned.
    await page.request.post(`http://127.0.0.1:${E2E_MODEL_PORT}/__reset`);
    await page.request.post(`http://127.0.0.1:${E2E_MODEL_PORT}/__script`, {
      data: [{ toolCalls: [{ name: "getPet", arguments: { petId: 7 } }] }, { text: "Pet 7 is Rex, a dog." }],
    });
    const started = await page.request.post(`/api/workflows/${workflow.id}/runs`, { data: { inputs: { question: "Who is pet 7?" } } });
    expect(started.ok()).toBe(true);
    const { runId } = (await started.json()) as { runId: string };

    await page.goto(`/runs/${runId}`);
    const step = page.getByTestId("step-agent");
    await expect(step).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
    await step.locator("summary").click();
    const call = step.getByTestId("agent-tool-call");
    await expect(call).toContainText("getPet");
    await expect(call).toContainText("Rex");
    await expect(step.getByTestId("agent-answer")).toContainText("Pet 7 is Rex");
    expect(petApi.count("/api/pets/7")).toBe(2);
  } finally {
    await petApi.close();
  }
});

test("upload a GitHub-sized OpenAPI file: every operation is listed and a few are imported", async ({ page }) => {
  const document = Buffer.from(JSON.stringify(githubSizeSpec()));
  await signUp(page, "E2E Big API", `e2e-big-api-${Date.now()}@example.test`);
  await page.getByRole("link", { name: "Tools" }).click();
  await page.getByTestId("import-openapi").click();
  const dialog = page.getByRole("dialog");
  // The file is uploaded as it is (multipart); the text box is never filled with 12 MB.
  await dialog.getByTestId("openapi-file").setInputFiles({ name: "github-size.json", mimeType: "application/json", buffer: document });
  await expect(dialog.getByText(/github-size\.json, 1\d\.\d MB/)).toBeVisible();
  const started = Date.now();
  await dialog.getByTestId("openapi-read").click();
  await expect(dialog.getByTestId("openapi-operations").locator("li")).toHaveCount(GITHUB_SIZE_OPERATIONS, { timeout: 30_000 });
  console.info(`listed ${GITHUB_SIZE_OPERATIONS} operations ${Date.now() - started} ms after "Read document"`);
  await dialog.getByRole("button", { name: "None" }).click();
  await dialog.getByLabel("Search operations").fill("Get resource 7");
  await dialog.getByRole("button", { name: "All" }).click();
  await expect(dialog.getByText(/^\d+ chosen$/)).toHaveText(/^1\d? chosen$/);
  await dialog.getByLabel("Type").selectOption("none");
  await dialog.getByTestId("openapi-import-submit").click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId("tools-table")).toContainText("resources-7_get");
});
