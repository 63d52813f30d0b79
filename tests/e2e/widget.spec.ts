import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { addProvider, publishConversationalWorkflow, signUp } from "./helpers";

/**
 * The chat widget as a website owner uses it: a conversational workflow published as a chat app,
 * its allowed website listed in the Chat app dialog, the Share panel's <script> snippet pasted
 * into a static page served from another origin (a node:http server on its own port): the bubble
 * opens the chat in an iframe and a message gets a streamed answer, kept for this browser after a
 * reload. The same page from a third origin, not listed, gets no bubble, and the <iframe> snippet
 * there is blocked by the embed page's frame-ancestors.
 * The e2e model server echoes the last user message in 60 ms chunks.
 */

/** A static website on 127.0.0.1 (another origin than Weft's): `/` holds `body`, `/iframe` holds `iframe`. */
async function website(pages: { body: string; iframe: string }): Promise<{ origin: string; server: Server }> {
  const server = createServer((request, response) => {
    const content = request.url?.startsWith("/iframe") ? pages.iframe : pages.body;
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(`<!doctype html><html><head><title>Shop</title></head><body><h1>Our shop</h1>${content}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const servers: Server[] = [];
test.afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

test("the widget snippet chats from an allowed website and refuses a website that is not listed", async ({ page }) => {
  await signUp(page, "Widget Owner", `e2e-widget-${Date.now()}@example.test`);
  await addProvider(page, "Widget model", "sk-e2e-widget-key-123456");
  const workflowId = await publishConversationalWorkflow(page, "E2E widget", "Widget model");

  // Two websites on other origins; their pages are filled in once the snippets are known.
  const pages = { allowed: { body: "", iframe: "" }, other: { body: "", iframe: "" } };
  const allowed = await website(pages.allowed);
  const other = await website(pages.other);
  servers.push(allowed.server, other.server);

  // The Chat app dialog: members-only first (the Share panel says it cannot be embedded), then link access with the allowed website.
  await page.goto(`/workflows/${workflowId}`);
  await page.getByTestId("chat-app-button").click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Title").fill("Shop helper");
  await dialog.getByLabel("Allowed websites (widget)").fill(allowed.origin);
  await dialog.getByTestId("chat-app-save").click();
  await expect(dialog.getByTestId("chat-app-widget-off")).toContainText("Anyone with the link");
  await dialog.getByLabel("Who can chat").selectOption("link");
  await dialog.getByTestId("chat-app-save").click();
  const scriptSnippet = dialog.getByTestId("chat-app-script-snippet");
  await expect(scriptSnippet).toContainText("/widget.js");
  const script = (await scriptSnippet.textContent())!;
  const iframe = (await dialog.getByTestId("chat-app-iframe-snippet").textContent())!;
  expect(script).toMatch(/^<script src="http:\/\/127\.0\.0\.1:\d+\/widget\.js" data-app="[a-z0-9-]+" async><\/script>$/);
  expect(iframe).toContain("/embed");
  Object.assign(pages.allowed, { body: script, iframe });
  Object.assign(pages.other, { body: script, iframe });

  // The allowed website: the bubble opens the chat, and the answer streams (Stop shows while it is written).
  await page.goto(`${allowed.origin}/`);
  const bubble = page.getByTestId("weft-widget-bubble");
  await expect(bubble).toBeVisible();
  await bubble.click();
  const chat = page.frameLocator('[data-testid="weft-widget-frame"]');
  await expect(chat.getByRole("heading", { name: "Shop helper" })).toBeVisible();
  await chat.getByTestId("chat-input").fill("Hello from the shop, please answer with a long reply so that the streaming can be watched live");
  await chat.getByTestId("chat-send").click();
  await expect(chat.getByTestId("chat-stop")).toBeVisible();
  const answer = chat.getByTestId("chat-assistant-message").first();
  await expect(answer).toHaveAttribute("data-status", "done", { timeout: 30_000 });
  await expect(answer).toContainText("Hello from the shop");

  // This browser's visitor id is kept: after a reload the conversation is still listed.
  await page.reload();
  await page.getByTestId("weft-widget-bubble").click();
  await expect(chat.getByTestId("chat-embed-conversations").locator("option", { hasText: "Hello from the shop" })).toHaveCount(1);

  // The iframe snippet works on the allowed website too.
  await page.goto(`${allowed.origin}/iframe`);
  await expect(page.frameLocator("iframe").getByTestId("chat-input")).toBeVisible();

  // A third origin, not listed: widget.js does not mount (and says why in the console).
  const warnings: string[] = [];
  page.on("console", (message) => warnings.push(message.text()));
  await page.goto(`${other.origin}/`);
  await expect.poll(() => warnings.find((w) => w.includes("[Weft widget]")) ?? "").toContain("is not allowed to embed this chat app");
  await expect(page.getByTestId("weft-widget-bubble")).toHaveCount(0);
  await expect(page.locator("iframe")).toHaveCount(0);

  // Its iframe snippet: the browser refuses to show the embed page there (frame-ancestors). goto waits
  // for the load event, which waits for the iframe; the embed page's server-rendered <main> is absent.
  const embedResponse = page.waitForResponse((response) => response.url().includes("/embed") && response.request().resourceType() === "document");
  await page.goto(`${other.origin}/iframe`);
  expect((await embedResponse).headers()["content-security-policy"]).toContain(`frame-ancestors ${allowed.origin}`);
  await expect(page.locator("iframe")).toHaveCount(1);
  await expect(page.frameLocator("iframe").locator("main")).toHaveCount(0);
  await expect(page.frameLocator("iframe").getByTestId("chat-input")).toHaveCount(0);
});
