import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { createWorkflow, getWorkflow, renameWorkflow } from "@/lib/workflows/service";
import { publishWorkflow } from "@/lib/workflows/versions";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { clientFor, connectMcp, createKey } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Weft's MCP server driven by the MCP SDK's own Client over Streamable HTTP → the /api/mcp route
 * handler → queue → a real worker process (LLM node against the OpenAI-wire test server).
 */
let worker: WorkerProcess;
let server: OpenAiServer;
let member: Member;
let secret: string;
let keyId: string;
let assistantSlug: string;
let ticketSlug: string;
const clients: Client[] = [];

async function connect(apiKey: string): Promise<Client> {
  const client = await connectMcp(apiKey);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: "sk-test-key-1234" });
  worker = await startWorkerProcess();
  member = await createTestMember("developer");
  const providerId = (await createTestProvider(member.workspaceId, server.url)).id;
  const [assistant, ticket] = exampleWorkflows({ providerId, model: "test-model" });
  const assistantId = (await createWorkflow(member, { name: assistant!.name, description: "Answers a question.", graph: assistant!.graph })).id;
  const ticketId = (await createWorkflow(member, { name: ticket!.name, graph: ticket!.graph })).id;
  await publishWorkflow(member, assistantId);
  await publishWorkflow(member, ticketId);
  const w = await getWorkflow(member, assistantId);
  await renameWorkflow(member, assistantId, { name: w.name, exposeAsTool: true });
  assistantSlug = w.slug;
  ticketSlug = (await getWorkflow(member, ticketId)).slug;
  // Exposed but never published: not a tool.
  const draftId = (await createWorkflow(member, { name: "Exposed draft" })).id;
  await renameWorkflow(member, draftId, { name: "Exposed draft", exposeAsTool: true });
  ({ secret, id: keyId } = await createKey(member));
});

beforeEach(() => server.reset());

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await worker?.stop();
  await server?.close();
});

describe("/api/mcp", () => {
  it("lists the published workflows marked expose-as-tool, with their Start inputs as the input schema", async () => {
    const client = await connect(secret);
    expect(client.getServerVersion()?.name).toBe("weft");
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([assistantSlug]);
    expect(tools.map((t) => t.name)).not.toContain(ticketSlug);
    expect(tools[0]).toMatchObject({
      title: "Ask the assistant",
      description: "Answers a question.",
      inputSchema: { type: "object", properties: { question: { type: "string", title: "Question" } }, required: ["question"] },
    });
  });

  it("calls a tool: runs the published version and returns the End output as text and structured content; the run records trigger mcp", async () => {
    server.script({ text: "Paris is the capital of France." });
    const client = await connect(secret);
    const result = await client.callTool({ name: assistantSlug, arguments: { question: "capital of France?" } });
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: "text", text: "Paris is the capital of France." }]);
    expect(result.structuredContent).toEqual({ answer: "Paris is the capital of France." });
    expect(server.chatRequests()[0]!.messages!.at(-1)).toMatchObject({ role: "user", content: "capital of France?" });
    const runId = (result._meta as Record<string, string>)["weft/runId"]!;
    const run = await db().run.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ trigger: "mcp", apiKeyId: keyId, status: "succeeded", workflowName: "Ask the assistant" });
    // The runs list (and GET /api/v1/runs) filters on the new trigger and shows the key as initiator.
    const listed = await clientFor(secret).listRuns({ trigger: "mcp" });
    expect(listed.runs.map((r) => r.id)).toContain(runId);
    expect(listed.runs.every((r) => r.trigger === "mcp")).toBe(true);
    expect(listed.runs.find((r) => r.id === runId)?.initiator).toMatchObject({ kind: "api_key", id: keyId });
  });

  it("bad arguments and failed runs are tool errors the model can read", async () => {
    const client = await connect(secret);
    const missing = await client.callTool({ name: assistantSlug, arguments: {} });
    expect(missing.isError).toBe(true);
    expect(JSON.stringify(missing.content)).toMatch(/question is required/);
    server.script({ error: { status: 400, message: "model refused the prompt" } });
    const failed = await client.callTool({ name: assistantSlug, arguments: { question: "fail" } });
    expect(failed.isError).toBe(true);
    expect(JSON.stringify(failed.content)).toMatch(/failed/);
  });

  it("a workflow not exposed as a tool cannot be called; a key without runs:write lists but cannot call", async () => {
    const client = await connect(secret);
    await expect(client.callTool({ name: ticketSlug, arguments: { customer: "Ada", message: "hi", priority: 1 } })).rejects.toThrow(/Unknown tool/);
    const readOnly = await connect((await createKey(member, ["workflows:read"])).secret);
    expect((await readOnly.listTools()).tools.map((t) => t.name)).toEqual([assistantSlug]);
    const refused = await readOnly.callTool({ name: assistantSlug, arguments: { question: "hi" } });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toMatch(/runs:write/);
  });

  it("a wrong key is refused with 401", async () => {
    const error = await connect("weft_" + "y".repeat(43)).then(
      () => null,
      (e: unknown) => e as Error & { code?: number },
    );
    expect(error?.code).toBe(401);
    expect(error?.message).toMatch(/unknown or has been revoked/);
  });
});
