import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** The stdio MCP fixture as a workspace registers it (the operator's "fixture" entry), and a reader of its start/call log. */

export function fixtureLogFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), "weft-mcp-")), "calls.log");
}

/** `start <pid>` / `call <pid> <tool>` / `aborted <pid> <tool>` lines the fixture wrote. */
export function readFixtureLog(file: string): { starts: number[]; calls: { pid: number; tool: string }[]; aborted: string[] } {
  const lines = existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
  const starts: number[] = [];
  const calls: { pid: number; tool: string }[] = [];
  const aborted: string[] = [];
  for (const line of lines) {
    const [kind, pid, tool] = line.split(" ");
    if (kind === "start") starts.push(Number(pid));
    else if (kind === "call") calls.push({ pid: Number(pid), tool: tool! });
    else if (kind === "aborted") aborted.push(tool!);
  }
  return { starts, calls, aborted };
}

/** A stdio config picking the operator's "fixture" server (tests/fixtures/mcp-stdio-servers.ts), logging to `logFile`. */
export function fixtureStdioConfig(logFile: string, env: Record<string, string | { secret: string }> = {}) {
  return { transport: "stdio" as const, serverId: "fixture", env: { MCP_FIXTURE_LOG: logFile, ...env } };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitUntil(check: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
