import { expect, test } from "@playwright/test";
import { startMcpSessionFixture } from "../fixtures/mcp-server-sessions";
import { signUp } from "./helpers";

/**
 * A developer registers an MCP server that may ask people questions (elicitation), connects it,
 * and runs a workflow whose Tool node calls `confirm_shipping`: the server's question appears in
 * the Inbox while the step keeps running; answering it there resumes the tool call and its result
 * is the run's output. The same tool from the tool console is refused with a message that says why.
 */
test("an MCP server's question during a run is answered in the Inbox and reaches the run", async ({ page }) => {
  const mcp = await startMcpSessionFixture("stateful");
  try {
    await signUp(page, "E2E MCP", `e2e-mcp-${Date.now()}@example.test`);

    // Tools → Register server: Streamable HTTP, elicitation allowed.
    await page.getByRole("link", { name: "Tools" }).click();
    await expect(page).toHaveURL(/\/tools/);
    await page.getByRole("button", { name: "Register server" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("Shipping");
    await dialog.getByLabel("Tool name prefix").fill("ship");
    await dialog.getByLabel("URL").fill(mcp.url);
    await dialog.getByTestId("mcp-elicitation").check();
    await dialog.getByRole("button", { name: "Register" }).click();
    await expect(dialog).toBeHidden();
    const card = page.getByTestId("mcp-source-card").filter({ hasText: "Shipping" });
    await expect(card.getByTestId("mcp-elicitation-badge")).toBeVisible();
    await card.getByRole("button", { name: "Connect" }).click();
    await expect(card.getByTestId("mcp-status")).toHaveText("Connected");
    await expect(card).toContainText("ship_confirm_shipping");

    // The console has nobody to ask.
    const tools = (await (await page.request.get("/api/tools")).json()) as { tools: { id: string; name: string }[] };
    const toolId = tools.tools.find((t) => t.name === "ship_confirm_shipping")!.id;
    const consoleCall = (await (await page.request.post(`/api/tools/${toolId}/test`, { data: { input: { orderId: "C-1" } } })).json()) as { ok: boolean; error?: { message: string } };
    expect(consoleCall.ok).toBe(false);
    expect(consoleCall.error?.message).toContain("the tool console cannot ask a person");

    // A run: Start → Tool (confirm_shipping) → End.
    const graph = {
      version: 1,
      nodes: [
        { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
        { id: "call", type: "tool", position: { x: 300, y: 0 }, data: { toolId, toolName: "", inputs: [{ name: "orderId", value: "E-42", required: false }], outputs: [], onToolError: "fail" } },
        { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "result", value: "{{ call.result }}" }] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "call" },
        { id: "e2", source: "call", target: "end" },
      ],
    };
    const workflow = (await (await page.request.post("/api/workflows", { data: { name: "Ship with a question", graph } })).json()) as { id: string };
    const started = await page.request.post(`/api/workflows/${workflow.id}/runs`, { data: { inputs: {} } });
    expect(started.ok()).toBe(true);
    const { runId } = (await started.json()) as { runId: string };

    // The Inbox lists the server's question (it refreshes every 5 s); answer it there.
    await page.goto("/inbox");
    const item = page.getByTestId("inbox-list").locator("li").filter({ hasText: "Where should order E-42 ship?" });
    await expect(item).toBeVisible({ timeout: 20_000 });
    await expect(item.getByTestId("wait-title")).toHaveText("Shipping asks (ship_confirm_shipping)");
    await item.getByTestId("wait-field-address").fill("7 Harbour Road");
    await item.getByTestId("wait-field-express").check();
    await item.getByTestId("wait-submit").click();

    // The tool call resumed with the answer; the run page shows its output and the exchange in the trace.
    await page.goto(`/runs/${runId}`);
    await expect(page.getByTestId("run-status")).toHaveText(/succeeded/i, { timeout: 30_000 });
    await expect(page.getByText("7 Harbour Road").first()).toBeVisible();
  } finally {
    await mcp.close();
  }
});
