import { describe, expect, it } from "vitest";
import { stderrSummary } from "@/lib/tools/mcp/stderr";

/** The line that names why a stdio server did not start survives the cut (issue 14, point 8). */
describe("stderrSummary", () => {
  it("keeps Node's 'Cannot find module' line ahead of the stack and the version banner", () => {
    const stderr = [
      "node:internal/modules/cjs/loader:1228",
      "  throw err;",
      "  ^",
      "",
      "Error: Cannot find module '/srv/mcp/server.js'",
      "    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)",
      "    at Module._load (node:internal/modules/cjs/loader:1051:27)",
      "    at node:internal/main/run_main_module:28:49 {",
      "  code: 'MODULE_NOT_FOUND',",
      "  requireStack: []",
      "}",
      "",
      "Node.js v20.20.2",
    ].join("\n");
    const summary = stderrSummary(stderr, 3);
    expect(summary.split("\n")[0]).toBe("Error: Cannot find module '/srv/mcp/server.js'");
    expect(summary).toContain("MODULE_NOT_FOUND");
    expect(summary).not.toMatch(/\n\s+at /);
    expect(summary).not.toContain("Node.js v20");
  });

  it("is the plain tail when the tail already names the cause or nothing does", () => {
    expect(stderrSummary("starting\nlistening\nError: EADDRINUSE", 2)).toBe("listening\nError: EADDRINUSE");
    expect(stderrSummary("one\ntwo\nthree", 2)).toBe("two\nthree");
  });
});
