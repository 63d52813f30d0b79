import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AuditRetention } from "@/components/audit/audit-retention";
import { AuditTable } from "@/components/audit/audit-table";
import type { AuditEventRow } from "@/lib/audit/query";

/** First paint of Settings → Audit log: one row per entry with its actor, address, action, target and change summary. */

const row = (over: Partial<AuditEventRow>): AuditEventRow => ({
  id: "00000000-0000-4000-8000-000000000001",
  createdAt: new Date("2026-12-04T10:00:00Z"),
  workspaceId: "w",
  action: "provider.updated",
  actorType: "user",
  actorUserId: "u1",
  actorApiKeyId: null,
  actorLabel: "ada@example.test",
  targetType: "provider",
  targetId: "p1",
  targetLabel: "OpenAI",
  ip: "203.0.113.7",
  userAgent: "Firefox",
  changes: { models: { before: ["m1"], after: ["m1", "m2"] }, apiKeyCipher: { changed: true } },
  metadata: {},
  ...over,
});

describe("the audit table", () => {
  it("shows who, from where, what, on which target, and the before/after summary", () => {
    const html = renderToStaticMarkup(h(AuditTable, { events: [row({}), row({ id: "00000000-0000-4000-8000-000000000002", action: "run.started", actorType: "api_key", actorLabel: "API key deploy", changes: null, metadata: { versionId: "v1" } })] }));
    expect(html).toContain('aria-label="Audit log"');
    expect(html.match(/data-testid="audit-row"/g)).toHaveLength(2);
    expect(html).toContain('data-action="provider.updated"');
    expect(html).toContain("ada@example.test");
    expect(html).toContain("203.0.113.7");
    expect(html).toContain("models: [&quot;m1&quot;] → [&quot;m1&quot;,&quot;m2&quot;]");
    expect(html).toContain("apiKeyCipher: changed");
    expect(html).toContain("API key · 203.0.113.7");
    expect(html).toContain("versionId: &quot;v1&quot;");
  });

  it("lets admins edit retention and tells others who can", () => {
    const admin = renderToStaticMarkup(h(AuditRetention, { initialDays: 365, canEdit: true, minDays: 30, maxDays: 3650 }));
    expect(admin).toContain("Save retention");
    expect(admin).toMatch(/id="audit-retention-days"[^>]*value="365"|value="365"[^>]*id="audit-retention-days"/);
    const viewer = renderToStaticMarkup(h(AuditRetention, { initialDays: 365, canEdit: false, minDays: 30, maxDays: 3650 }));
    expect(viewer).not.toContain("Save retention");
    expect(viewer).toContain("Only admins and owners can change it.");
  });
});
