import { afterEach, describe, expect, it, vi } from "vitest";
import { saveGraph } from "@/lib/editor/api";

afterEach(() => vi.unstubAllGlobals());

describe("editor save refused for a secret above the saver's role", () => {
  it("is an invalid save showing the server's message (not retried until the graph changes)", async () => {
    const message = "You cannot use the secret ADMIN_KEY (admin or higher): your role is editor.";
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ error: { code: "forbidden", message } }), { status: 403, headers: { "content-type": "application/json" } }));
    expect(await saveGraph("w1", { version: 1, nodes: [], edges: [] }, 3)).toEqual({ ok: false, kind: "invalid", message });
  });
});
