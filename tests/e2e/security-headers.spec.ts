import { expect, test } from "@playwright/test";

/**
 * Security headers and the cross-origin refusal against the real web server (`npm start`), and that
 * the CSP breaks neither hydration nor the editor (React Flow's inline styles).
 */

test("pages carry the security headers and the CSP blocks nothing the app needs", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(message.text())) violations.push(message.text());
  });

  const response = await page.goto("/sign-in");
  const headers = response!.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  // The e2e server runs on http: no HSTS.
  expect(headers["strict-transport-security"]).toBeUndefined();

  // Sign up (the form signs in after sign-up) and open the editor: hydration and React Flow work under the CSP.
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill("CSP Tester");
  await page.getByLabel("Email").fill(`csp-${Date.now()}@example.test`);
  await page.getByLabel("Password").fill("e2e-password-123");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/workflows/);
  await page.getByRole("button", { name: "New workflow" }).click();
  await page.getByRole("dialog").getByLabel("Name").fill("CSP check");
  await page.getByRole("dialog").getByRole("button", { name: /create/i }).click();
  await expect(page.getByTestId("canvas")).toBeVisible();
  expect(violations).toEqual([]);

  // A cross-origin state change with this browser's session cookie is refused.
  const forged = await page.request.post("/api/workflows", {
    headers: { origin: "https://evil.example", "content-type": "application/json" },
    data: { name: "Forged" },
  });
  expect(forged.status()).toBe(403);
  expect(await forged.json()).toMatchObject({ error: { code: "cross_origin" } });
});
