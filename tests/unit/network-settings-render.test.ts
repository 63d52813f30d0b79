import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { NetworkAllowListEditor } from "@/components/settings/network-allow-list";

/** First paint of Settings → Network: the workspace's one allow-list, editable by admins only. */
describe("Settings → Network", () => {
  it("shows the entries to everyone and the save button to admins only", () => {
    const admin = renderToStaticMarkup(h(NetworkAllowListEditor, { initialAllowList: ["127.0.0.1:4010", "10.20.0.0/16"], canEdit: true }));
    expect(admin).toContain("127.0.0.1:4010\n10.20.0.0/16");
    expect(admin).toContain("Save allow-list");
    expect(admin).toMatch(/HTTP nodes, tools, MCP servers and model providers/);

    const developer = renderToStaticMarkup(h(NetworkAllowListEditor, { initialAllowList: ["127.0.0.1:4010"], canEdit: false }));
    expect(developer).toContain("127.0.0.1:4010");
    expect(developer).not.toContain("Save allow-list");
    expect(developer).toMatch(/<textarea[^>]*disabled/);
    expect(developer).toContain("Only admins and owners can change it.");
  });
});
