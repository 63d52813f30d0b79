import { readFileSync } from "node:fs";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { startCountingServer } from "../fixtures/counting-server";
import { E2E_MODEL_PORT } from "./env";
import { addProvider, connect, signUp } from "./helpers";

/**
 * A team works in one workspace: the owner invites a developer and a business user by link; the
 * developer adds a model provider and a tool; the business user builds an agent with both in the
 * editor and runs it; the owner finds that run by searching its input text, sees who started it,
 * and finds the team's actions in the audit log and the run in the Overview.
 */
const spec = readFileSync(new URL("../fixtures/openapi/petstore-swagger2.json", import.meta.url), "utf8");
const stamp = Date.now();

/** Settings → Members → Invite: returns the link shown once. */
async function invite(page: Page, email: string, role: string): Promise<string> {
  await page.getByTestId("invite-member").click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByTestId("invite-role").click();
  await page.getByRole("option", { name: role, exact: true }).click();
  await dialog.getByTestId("send-invitation").click();
  const link = dialog.getByTestId("invitation-link");
  await expect(link).toHaveValue(/\/invite\//);
  const url = await link.inputValue();
  await dialog.getByTestId("invite-done").click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("invitation-row").filter({ hasText: email })).toBeVisible();
  return url;
}

/** Opens an invitation link in a fresh browser and signs up through it (the email is the invited one). */
async function joinThroughLink(browser: Browser, link: string, name: string, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(link);
  await expect(page.getByTestId("invitation-status")).toHaveAttribute("data-status", "pending");
  await page.getByTestId("invitation-sign-up").click();
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await signUp(page, name, null);
  await expect(page.getByTestId("workspace-name")).toContainText("E2E Owner");
  return page;
}

async function addProviderAndTool(page: Page, petApiUrl: string) {
  await addProvider(page, "Team model", "sk-e2e-team-key-123456");

  await page.goto("/tools");
  await page.getByTestId("import-openapi").click();
  const importDialog = page.getByRole("dialog");
  await importDialog.getByTestId("openapi-text").fill(spec);
  await importDialog.getByTestId("openapi-read").click();
  await importDialog.getByRole("button", { name: "None" }).click();
  await importDialog.getByLabel("GET /pets/{petId}").check();
  await importDialog.getByTestId("openapi-base-url").fill(`${petApiUrl}/api`);
  await importDialog.getByLabel("Type").selectOption("none");
  await importDialog.getByTestId("openapi-import-submit").click();
  await expect(importDialog).toBeHidden();
  await expect(page.getByTestId("tools-table")).toContainText("getPet");
}

/** The business user draws Start → Agent (team model, getPet) → End and runs it from the editor. */
async function buildAndRunAgent(page: Page, question: string) {
  await page.goto("/workflows");
  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByRole("dialog").getByLabel("Name").fill("Pet desk");
  await page.getByRole("dialog").getByRole("button", { name: /create/i }).click();
  await expect(page).toHaveURL(/\/workflows\/[0-9a-f-]{36}/);
  const canvas = page.getByTestId("canvas");
  await page.getByTestId("palette-item-start").dragTo(canvas, { targetPosition: { x: 60, y: 150 } });
  await page.getByTestId("palette-item-agent").dragTo(canvas, { targetPosition: { x: 340, y: 150 } });
  await page.getByTestId("palette-item-end").dragTo(canvas, { targetPosition: { x: 620, y: 150 } });
  await connect(page, page.getByTestId("handle-start-out"), page.getByTestId("node-agent").locator(".react-flow__handle.target"));
  await connect(page, page.getByTestId("handle-agent-out"), page.getByTestId("node-end").locator(".react-flow__handle.target"));
  await expect(page.locator(".react-flow__edge")).toHaveCount(2);

  await page.getByTestId("node-agent").click();
  const inspector = page.getByTestId("inspector");
  await inspector.getByLabel("Provider").selectOption({ label: "Team model" });
  await inspector.getByLabel("Model").selectOption("e2e-model");
  await inspector.getByLabel("User prompt").fill("{{ start.question }}");
  await inspector.getByTestId("agent-tools").getByLabel(/getPet/).check();
  await page.getByTestId("node-end").click();
  await page.getByTestId("inspector").getByLabel("Value").first().fill("{{ agent.text }}");
  await expect(page.getByTestId("problems")).toContainText("No problems");
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-status", "saved");

  await page.request.post(`http://127.0.0.1:${E2E_MODEL_PORT}/__reset`);
  await page.request.post(`http://127.0.0.1:${E2E_MODEL_PORT}/__script`, {
    data: [{ toolCalls: [{ name: "getPet", arguments: { petId: 7 } }] }, { text: "Pet 7 is Rex, a dog." }],
  });
  await page.getByTestId("run-button").click();
  await page.getByRole("dialog").getByLabel("Question").fill(question);
  await page.getByTestId("run-submit").click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("run-output")).toContainText("Pet 7 is Rex");
}

test("an owner invites a developer and a business user; they build and run an agent together; the owner finds it", async ({ page, browser }) => {
  const petApi = await startCountingServer();
  petApi.on("/api/pets/7", { body: { id: 7, name: "Rex", tag: "dog" } });
  const developerEmail = `e2e-dev-${stamp}@example.test`;
  const businessEmail = `e2e-biz-${stamp}@example.test`;
  const question = `Who is pet seven, asks ticket zebra${stamp}?`;
  try {
    // The owner signs up, and invites two people from Settings → Members.
    await signUp(page, "E2E Owner", `e2e-owner-${stamp}@example.test`);
    await page.getByRole("link", { name: "Members" }).click();
    await expect(page).toHaveURL(/\/settings\/members/);
    await expect(page.getByTestId("permission-matrix")).toBeVisible();
    const developerLink = await invite(page, developerEmail, "developer");
    const businessLink = await invite(page, businessEmail, "editor");

    // The developer joins through the link and registers a provider and a tool for everyone.
    const developer = await joinThroughLink(browser, developerLink, "Dee Developer", developerEmail);
    await addProviderAndTool(developer, petApi.url);

    // The business user joins, sees the developer's provider and tool, and builds and runs an agent.
    const business = await joinThroughLink(browser, businessLink, "Bea Business", businessEmail);
    await buildAndRunAgent(business, question);
    expect(petApi.count("/api/pets/7")).toBe(1);

    // The owner sees both as members with their roles.
    await page.reload();
    await expect(page.getByTestId("member-row").filter({ hasText: developerEmail })).toContainText(/developer/i);
    await expect(page.getByTestId("member-row").filter({ hasText: businessEmail })).toContainText(/editor/i);

    // The owner finds the run by a word of its input and sees who started it.
    await page.goto("/runs");
    await page.getByTestId("run-filter-q").fill(`zebra${stamp}`);
    await page.getByTestId("run-filter-apply").click();
    await expect(page).toHaveURL(new RegExp(`q=zebra${stamp}`));
    await expect(page.getByTestId("run-row")).toHaveCount(1);
    const row = page.getByTestId("run-row").first();
    await expect(row).toContainText("Pet desk");
    await expect(row.getByTestId("run-row-initiator")).toContainText("Bea Business");
    // A word that no run contains finds nothing.
    await page.getByTestId("run-filter-q").fill(`absent${stamp}`);
    await page.getByTestId("run-filter-apply").click();
    await expect(page.getByTestId("run-row")).toHaveCount(0);

    // The audit log holds the team's actions, each with its actor.
    await page.goto("/settings/audit");
    const rows = page.getByTestId("audit-row");
    await expect(page.locator("[data-testid=audit-row][data-action='member.invited']")).toHaveCount(2);
    await expect(page.locator("[data-testid=audit-row][data-action='member.joined']")).toHaveCount(2);
    await expect(page.locator("[data-testid=audit-row][data-action='provider.created']")).toContainText(developerEmail);
    await expect(page.locator("[data-testid=audit-row][data-action='run.started']").first()).toContainText(businessEmail);
    await page.getByLabel("Action").fill("member.");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/action=member/);
    await expect(rows).toHaveCount(4);

    // The Overview counts the run and credits it to the business user.
    await page.goto("/overview");
    await expect(page.getByTestId("total-runs")).toContainText("1");
    await expect(page.getByTestId("breakdown-members")).toContainText("Bea Business");
    await expect(page.getByTestId("breakdown-workflows")).toContainText("Pet desk");
    await page.getByTestId("overview-tab-catalog").click();
    const entry = page.getByTestId("catalog-row").filter({ hasText: "Pet desk" });
    await expect(entry).toContainText(/Bea Business|e2e-biz-/);
    await expect(entry).toHaveAttribute("data-idle", "false");

    // A spent monthly budget: the business user's next run is refused with the reason, and everyone sees the banner.
    await page.goto("/settings/usage");
    await page.getByLabel("Monthly budget", { exact: true }).fill("0");
    await page.getByTestId("save-workspace-budget").click();
    await expect(page.getByTestId("workspace-budget-meter")).toHaveAttribute("data-state", "exhausted");
    await business.getByTestId("run-button").click();
    await business.getByRole("dialog").getByLabel("Question").fill("One more?");
    await business.getByTestId("run-submit").click();
    await expect(business.getByRole("dialog")).toContainText("monthly budget of 0 USD is spent");
    await business.reload();
    await expect(business.getByTestId("budget-banner")).toBeVisible();
  } finally {
    await petApi.close();
  }
});
