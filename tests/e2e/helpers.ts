import { expect, type Locator, type Page } from "@playwright/test";
import { E2E_MODEL_PORT } from "./env";

/** Steps several journeys share, done through the UI as a person would. */

export const E2E_PASSWORD = "e2e-password-123";

/** Sign-up form → the studio (open sign-up, or an invitation's prefilled email when `email` is null). */
export async function signUp(page: Page, name: string, email: string | null) {
  if (email !== null) await page.goto("/sign-up");
  await page.getByLabel("Name").fill(name);
  if (email !== null) await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(E2E_PASSWORD);
  // Sign-ups are limited per address (lib/auth rate limits, on in e2e too): every journey signs up
  // from 127.0.0.1, so when the form says to wait, wait as a person would and try again.
  for (let attempt = 0; attempt < 4; attempt++) {
    await page.getByRole("button", { name: "Create account" }).click();
    const limited = page.getByRole("alert").filter({ hasText: /Too many sign-up attempts/ });
    const outcome = await Promise.race([
      page.waitForURL(/\/workflows/, { timeout: 15_000 }).then(() => "in" as const),
      limited.waitFor({ timeout: 15_000 }).then(() => "limited" as const),
    ]).catch(() => "unknown" as const);
    if (outcome !== "limited") break;
    const seconds = Number(/in (\d+) seconds?/.exec((await limited.textContent()) ?? "")?.[1] ?? "15");
    await page.waitForTimeout((seconds + 1) * 1000);
  }
  await expect(page).toHaveURL(/\/workflows/);
}

/** Drags a connection from one handle to another on the canvas. */
export async function connect(page: Page, from: Locator, to: Locator) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error("handle not visible");
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

/** Settings → Models → Add provider: a custom OpenAI-compatible provider on the e2e model server. */
export async function addProvider(page: Page, name: string, apiKey: string) {
  await page.goto("/settings/models");
  await page.getByRole("button", { name: "Add provider" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Preset").click();
  await page.getByRole("option", { name: "Custom (OpenAI-compatible)" }).click();
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Base URL").fill(`http://127.0.0.1:${E2E_MODEL_PORT}/v1`);
  await dialog.getByLabel(/API key/).fill(apiKey);
  await dialog.getByLabel("Models").fill("e2e-model");
  await dialog.getByLabel("Models").press("Enter");
  await dialog.getByRole("button", { name: "Add provider" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(name)).toBeVisible();
}

/**
 * A conversational workflow, created through the studio's API (the canvas is covered by
 * first-workflow.spec.ts) and published: Start (conversational, `turns` persists) → count the turn →
 * LLM on the provider named `providerName` with memory → Answer "<text> (turn n)" → End. → its id.
 */
export async function publishConversationalWorkflow(page: Page, name: string, providerName: string): Promise<string> {
  const providerId = await providerIdByName(page, providerName);
  const graph = {
    version: 1,
    variables: [{ name: "turns", type: "number", default: 0 }],
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [], conversation: { enabled: true, variables: ["turns"] } } },
      { id: "count", type: "assign", position: { x: 220, y: 0 }, data: { assignments: [{ variable: "turns", operation: "increment", mode: "expression", value: "" }] } },
      { id: "llm", type: "llm", position: { x: 440, y: 0 }, data: { providerId, model: "e2e-model", systemPrompt: "", userPrompt: "{{ start.message }}", temperature: 0, memory: { mode: "turns", turns: 5, tokens: 2000 } } },
      { id: "reply", type: "answer", position: { x: 660, y: 0 }, data: { text: "{{ llm.text }} (turn {{ var.turns }})" } },
      { id: "end", type: "end", position: { x: 880, y: 0 }, data: { outputs: [{ name: "answer", value: "{{ llm.text }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "count" },
      { id: "e2", source: "count", target: "llm" },
      { id: "e3", source: "llm", target: "reply" },
      { id: "e4", source: "reply", target: "end" },
    ],
  };
  return publishGraph(page, name, graph);
}

/** The id of the workspace's provider named `name` (added with addProvider). */
export async function providerIdByName(page: Page, name: string): Promise<string> {
  const body = (await (await page.request.get("/api/providers")).json()) as { providers: { id: string; name: string }[] };
  const found = body.providers.find((p) => p.name === name);
  expect(found, `provider ${name}`).toBeDefined();
  return found!.id;
}

/** Creates a workflow from `graph` through the studio API and publishes it; its id. */
export async function publishGraph(page: Page, name: string, graph: unknown): Promise<string> {
  const created = await page.request.post("/api/workflows", { data: { name, graph } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await page.request.post(`/api/workflows/${id}/publish`, { data: {} })).status()).toBe(201);
  return id;
}

/** Publishes a workflow as a chat app open to anyone with the link; its slug. */
export async function linkChatApp(page: Page, workflowId: string, title: string): Promise<string> {
  const app = await page.request.put(`/api/workflows/${workflowId}/chat-app`, { data: { title, access: "link" } });
  expect(app.ok()).toBe(true);
  return ((await app.json()) as { chatApp: { slug: string } }).chatApp.slug;
}
