import { chmodSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import { EnvSchema } from "@/lib/env";
import { loadStdioCatalogue } from "@/lib/tools/mcp/operator";
import { OperatorStdioServerSchema } from "@/lib/tools/mcp/operator-schema";
import { CreateMcpSourceSchema, FREE_COMMAND_REFUSED } from "@/lib/tools/mcp/schema";
import { allowedEntry, launchEnv, sourceWorkdir, stdioOptions } from "@/lib/tools/mcp/stdio-launch";

/** The operator's list of stdio MCP servers: parsing, the config file, what a source may pick, the launch environment. */

const required = { WEFT_SECRET_KEYS: "k:x", BETTER_AUTH_SECRET: "0123456789abcdef" };
const filesystem = OperatorStdioServerSchema.parse({
  id: "filesystem",
  label: "Filesystem (/srv/docs)",
  command: "npx",
  args: ["-y", "@modelcontextprotocol/server-filesystem", "/srv/docs"],
  env: { npm_config_cache: "/var/cache/weft-npm" },
  allowedEnv: ["API_TOKEN"],
});
const catalogue = { servers: [filesystem], problem: null };
const dir = mkdtempSync(path.join(tmpdir(), "weft-mcp-operator-"));

describe("WEFT_MCP_STDIO_SERVERS", () => {
  it("is off when unset, a typed list when valid, and stops the boot when invalid", () => {
    expect(EnvSchema.parse(required).WEFT_MCP_STDIO_SERVERS).toEqual([]);
    const list = EnvSchema.parse({ ...required, WEFT_MCP_STDIO_SERVERS: JSON.stringify([{ id: "fs", label: "FS", command: "npx" }]) }).WEFT_MCP_STDIO_SERVERS;
    expect(list).toEqual([{ id: "fs", label: "FS", command: "npx", args: [], env: {}, allowedEnv: [] }]);
    const broken = EnvSchema.safeParse({ ...required, WEFT_MCP_STDIO_SERVERS: "[{" });
    expect(broken.error?.issues[0]?.message).toContain("WEFT_MCP_STDIO_SERVERS is not valid JSON");
    // The message never quotes the text (it may hold the operator's fixed values).
    const quoted = EnvSchema.safeParse({ ...required, WEFT_MCP_STDIO_SERVERS: '[{"id":"a","env":{"TOKEN":"s3cr3t"} oops' });
    expect(quoted.error?.issues[0]?.message).toMatch(/^WEFT_MCP_STDIO_SERVERS is not valid JSON/);
    expect(quoted.error?.issues[0]?.message).not.toContain("s3cr3t");
    const twice = EnvSchema.safeParse({ ...required, WEFT_MCP_STDIO_SERVERS: JSON.stringify([{ id: "a", label: "A", command: "x" }, { id: "a", label: "B", command: "y" }]) });
    expect(twice.error?.issues[0]?.message).toContain('The id "a" is listed twice');
    const unknownKey = EnvSchema.safeParse({ ...required, WEFT_MCP_STDIO_SERVERS: JSON.stringify([{ id: "a", label: "A", command: "x", shell: true }]) });
    expect(unknownKey.success).toBe(false);
  });
});

describe("the catalogue (environment list + WEFT_MCP_STDIO_CONFIG file)", () => {
  it("adds the file's servers to the environment's", () => {
    const file = path.join(dir, "servers.json");
    writeFileSync(file, JSON.stringify([{ id: "git", label: "Git", command: "/usr/local/bin/mcp-git" }]));
    expect(loadStdioCatalogue({ inline: [filesystem], file }).servers.map((s) => s.id)).toEqual(["filesystem", "git"]);
  });

  it("turns stdio off with the reason when the file is missing, invalid or repeats an id", () => {
    const missing = loadStdioCatalogue({ inline: [filesystem], file: path.join(dir, "nope.json") });
    expect(missing.servers).toEqual([]);
    expect(missing.problem).toContain("cannot be read");
    const invalid = path.join(dir, "invalid.json");
    writeFileSync(invalid, JSON.stringify([{ id: "Bad Id", label: "x", command: "x" }]));
    expect(loadStdioCatalogue({ inline: [], file: invalid }).problem).toContain("not a valid list of stdio MCP servers");
    const repeat = path.join(dir, "repeat.json");
    writeFileSync(repeat, JSON.stringify([{ id: "filesystem", label: "Again", command: "x" }]));
    expect(loadStdioCatalogue({ inline: [filesystem], file: repeat }).problem).toContain('"filesystem" is listed both');
  });

  it("shows developers ids, labels and variable names, never the command", () => {
    expect(stdioOptions(catalogue)).toEqual({ enabled: true, problem: null, servers: [{ id: "filesystem", label: "Filesystem (/srv/docs)", allowedEnv: ["API_TOKEN"] }] });
    expect(JSON.stringify(stdioOptions(catalogue))).not.toContain("npx");
    expect(stdioOptions({ servers: [], problem: null }).enabled).toBe(false);
  });
});

describe("what a source may start", () => {
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (error instanceof NodeError) return error;
    }
    throw new Error("expected a NodeError");
  };

  it("a command or arguments in a workspace's config are refused by the schema", () => {
    const parsed = CreateMcpSourceSchema.safeParse({ name: "x", config: { transport: "stdio", serverId: "filesystem", command: "bash", args: ["-c", "id"] } });
    expect(parsed.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["config.command", FREE_COMMAND_REFUSED],
      ["config.args", FREE_COMMAND_REFUSED],
    ]);
  });

  it("only a listed id, with only the variables its entry allows", () => {
    expect(allowedEntry(catalogue, { transport: "stdio", serverId: "filesystem", env: { API_TOKEN: "t" } }, "Docs")).toBe(filesystem);
    expect(refusal(() => allowedEntry(catalogue, { transport: "stdio", serverId: "shell", env: {} }, "Docs")).message).toBe(
      'The MCP server "Docs" is not allowed by the operator: "shell" is not in the operator\'s list of stdio servers.',
    );
    expect(refusal(() => allowedEntry(catalogue, { transport: "stdio", serverId: "filesystem", env: { LD_PRELOAD: "/tmp/x.so" } }, "Docs")).message).toContain("LD_PRELOAD");
    const legacy = refusal(() => allowedEntry(catalogue, { transport: "stdio", command: "bash", args: [], env: {} }, "Old"));
    expect(legacy.message).toContain('is not allowed by the operator: its command ("bash") was chosen by a workspace');
    expect(legacy.retryable).toBe(false);
    expect(refusal(() => allowedEntry({ servers: [], problem: null }, { transport: "stdio", serverId: "filesystem", env: {} }, "Docs")).message).toContain("allows no stdio servers");
  });

  it("the environment is built from nothing: PATH, HOME, the operator's values, the source's", () => {
    const built = launchEnv(filesystem, { API_TOKEN: "secret-value" }, "/var/lib/weft-mcp/src1");
    expect(Object.keys(built).sort()).toEqual(["API_TOKEN", "HOME", "PATH", "npm_config_cache"]);
    expect(built.HOME).toBe("/var/lib/weft-mcp/src1");
    expect(built.PATH).toContain(path.dirname(process.execPath));
    expect(launchEnv({ ...filesystem, env: { PATH: "/opt/mcp/bin" } }, {}, "/h").PATH).toBe("/opt/mcp/bin");
  });

  it("each source gets a directory of its own, mode 0700, and odd ids are refused", async () => {
    const work = await sourceWorkdir(dir, "source_1");
    expect(work).toBe(path.join(dir, "source_1"));
    expect(statSync(work).mode & 0o777).toBe(0o700);
    await expect(sourceWorkdir(dir, "../escape")).rejects.toThrow("Unexpected MCP source id");
  });

  it("refuses a base directory others can write to, or a symlink planted in its place", async () => {
    const open = path.join(dir, "world-writable");
    mkdirSync(open);
    chmodSync(open, 0o777);
    await expect(sourceWorkdir(open, "s1")).rejects.toThrow("must be a directory owned by the Weft user and not writable by others");
    const link = path.join(dir, "planted");
    symlinkSync(tmpdir(), link);
    await expect(sourceWorkdir(link, "s1")).rejects.toThrow("not writable by others");
  });
});
