import { createHmac } from "node:crypto";
import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

/**
 * The editor's Triggers dialog: a signed webhook created in the UI (URL, curl, secret shown once)
 * and called from outside with the documented signature; a schedule with its cron preview and the
 * next five times, paused and resumed.
 */
const graph = {
  version: 1,
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "n", label: "", type: "number", required: true, description: "" }] } },
    { id: "label", type: "template", position: { x: 250, y: 0 }, data: { template: "item {{ start.n }}", format: "text" } },
    { id: "end", type: "end", position: { x: 500, y: 0 }, data: { outputs: [{ name: "label", value: "{{ label.text }}" }] } },
  ],
  edges: [
    { id: "e1", source: "start", target: "label" },
    { id: "e2", source: "label", target: "end" },
  ],
};

test("a webhook and a schedule are added from the editor; the signed webhook starts a run", async ({ page }) => {
  await signUp(page, "Trigger Tester", `triggers-${Date.now()}@example.test`);
  const workflow = (await (await page.request.post("/api/workflows", { data: { name: "Echo", graph } })).json()) as { id: string };
  expect((await page.request.post(`/api/workflows/${workflow.id}/publish`, { data: {} })).status()).toBe(201);
  await page.goto(`/workflows/${workflow.id}`);
  await page.getByTestId("triggers-button").click();
  const dialog = page.getByRole("dialog");

  // Webhook: HMAC by default; the secret is shown once, with the URL and a curl example.
  await dialog.getByTestId("webhook-name").fill("From the CRM");
  await dialog.getByTestId("webhook-create").click();
  await expect(dialog.getByTestId("webhook-item")).toContainText("From the CRM");
  const secret = ((await dialog.getByTestId("webhook-secret").locator("code").textContent()) ?? "").trim();
  expect(secret).toMatch(/^whsec_/);
  const url = ((await dialog.getByTestId("webhook-url").textContent()) ?? "").trim();
  expect(url).toMatch(/\/api\/hooks\/[A-Za-z0-9_-]{43}$/);
  await expect(dialog.getByTestId("webhook-curl")).toContainText("X-Weft-Signature");

  const body = JSON.stringify({ n: 5 });
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  const called = await page.request.post(url, {
    headers: { "content-type": "application/json", "x-weft-timestamp": String(timestamp), "x-weft-signature": `sha256=${signature}` },
    data: body,
  });
  expect(called.status()).toBe(202);
  const { runId } = (await called.json()) as { runId: string };
  await expect
    .poll(async () => ((await (await page.request.get(`/api/runs/${runId}`)).json()) as { run?: { status?: string } }).run?.status ?? "", { timeout: 30_000 })
    .toBe("succeeded");
  const unsigned = await page.request.post(url, { headers: { "content-type": "application/json" }, data: body });
  expect(unsigned.status()).toBe(401);

  // Schedule: the preview explains the expression and lists the next five times.
  await dialog.getByRole("tab", { name: "Schedules" }).click();
  await dialog.getByTestId("schedule-name").fill("Weekday digest");
  await dialog.getByTestId("schedule-cron").fill("0 9 * * 1-5");
  await dialog.getByTestId("schedule-timezone").fill("Europe/Paris");
  await expect(dialog.getByTestId("cron-preview").first()).toContainText("Monday through Friday");
  await expect(dialog.getByTestId("cron-preview").first().locator("li")).toHaveCount(5);
  await dialog.getByTestId("schedule-cron").fill("0 9 * *");
  await expect(dialog.getByTestId("cron-problem")).toBeVisible();
  await dialog.getByTestId("schedule-cron").fill("0 9 * * 1-5");
  await dialog.getByTestId("schedule-inputs").fill('{"n": 1}');
  await dialog.getByTestId("schedule-create").click();
  const item = dialog.getByTestId("schedule-item");
  await expect(item).toContainText("Weekday digest");
  await expect(item).toContainText("active");
  await item.getByTestId("schedule-toggle").click();
  await expect(item).toContainText("paused");
  await item.getByTestId("schedule-toggle").click();
  await expect(item).toContainText("active");
});
