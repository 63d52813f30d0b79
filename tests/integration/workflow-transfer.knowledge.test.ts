import { beforeAll, describe, expect, it } from "vitest";
import * as exportRoute from "@/app/api/workflows/[id]/export/route";
import * as importRoute from "@/app/api/workflows/import/route";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { validateGraph } from "@/lib/engine/validate";
import { nodeRegistry } from "@/lib/nodes/registry";
import { startRun } from "@/lib/runs/service";
import type { WorkflowFile } from "@/lib/workflows/schemas";
import { createWorkflow } from "@/lib/workflows/service";
import { clientFor, createKey } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";

/**
 * Workflow files that use knowledge bases: an export names each base, an import into another
 * workspace maps them by name, and a base that is not there leaves a validation error on the node
 * (never the source workspace's id, never another base by guesswork).
 */

type Session = Awaited<ReturnType<typeof signUpUser>>;
let source: Session;
let sourceMember: Member;
const sourceKb: Record<string, string> = {};

async function knowledgeBase(workspaceId: string, name: string): Promise<string> {
  const provider = await createTestProvider(workspaceId, "https://example.com/v1", { models: ["m"] });
  return (await db().knowledgeBase.create({ data: { workspaceId, name, embeddingProviderId: provider.id, embeddingModel: "m", dimensions: 8 } })).id;
}

function graphUsing(handbook: string, prices: string, providerId: string): Graph {
  return {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "question", label: "", type: "string", required: true, description: "" }] } },
      { id: "search", type: "knowledge", position: { x: 300, y: 0 }, data: { knowledgeBaseIds: [handbook, prices], query: "{{ start.question }}", mode: "hybrid", topK: 3, filter: [] } },
      { id: "helper", type: "agent", position: { x: 600, y: 0 }, data: { providerId, model: "test-model", userPrompt: "{{ start.question }}\n{{ search.context }}", knowledgeBases: [handbook] } },
      { id: "end", type: "end", position: { x: 900, y: 0 }, data: { outputs: [{ name: "answer", value: "{{ helper.text }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "search" },
      { id: "e2", source: "search", target: "helper" },
      { id: "e3", source: "helper", target: "end" },
    ],
  };
}

async function exportedFile(): Promise<WorkflowFile> {
  const provider = await createTestProvider(source.workspaceId, "https://example.com/v1");
  const { id } = await createWorkflow(sourceMember, { name: "Handbook helper", graph: graphUsing(sourceKb.handbook!, sourceKb.prices!, provider.id) });
  const response = await exportRoute.GET(routeRequest("GET", `/api/workflows/${id}/export`, source.cookie), routeParams(id));
  expect(response.status).toBe(200);
  return (await response.json()) as WorkflowFile;
}

const nodeData = (graph: Graph, id: string) => graph.nodes.find((n) => n.id === id)!.data;

beforeAll(async () => {
  source = await signUpUser("KB Transfer Source");
  sourceMember = { userId: source.userId, workspaceId: source.workspaceId, role: "owner" } as Member;
  sourceKb.handbook = await knowledgeBase(source.workspaceId, "Employee Handbook");
  sourceKb.prices = await knowledgeBase(source.workspaceId, "Price list");
  // A base of the workspace the graph does not use: not listed in the file.
  await knowledgeBase(source.workspaceId, "Unused");
});

describe("workflow files with knowledge bases", () => {
  it("the export names every knowledge base the graph uses", async () => {
    const file = await exportedFile();
    expect(file.knowledgeBases).toEqual([
      { id: sourceKb.handbook, name: "Employee Handbook" },
      { id: sourceKb.prices, name: "Price list" },
    ]);
  });

  it("an import elsewhere maps by name, reports each mapping, and leaves a missing base as a validation error", async () => {
    const file = await exportedFile();
    const target = await signUpUser("KB Transfer Target");
    const targetHandbook = await knowledgeBase(target.workspaceId, "Employee Handbook");

    const response = await importRoute.POST(routeRequest("POST", "/api/workflows/import", target.cookie, { file }));
    expect(response.status).toBe(201);
    const imported = (await response.json()) as { id: string; knowledgeBases: unknown[] };
    expect(imported.knowledgeBases).toEqual([
      { sourceId: sourceKb.handbook, name: "Employee Handbook", status: "mapped", targetId: targetHandbook, nodeIds: ["search", "helper"] },
      { sourceId: sourceKb.prices, name: "Price list", status: "missing", targetId: null, reason: 'No knowledge base here is named "Price list".', nodeIds: ["search"] },
    ]);

    const saved = await db().workflow.findUniqueOrThrow({ where: { id: imported.id } });
    const graph = saved.graph as unknown as Graph;
    expect(nodeData(graph, "search")).toMatchObject({ knowledgeBaseIds: [targetHandbook], unresolvedKnowledgeBases: ["Price list"] });
    expect(nodeData(graph, "helper")).toMatchObject({ knowledgeBases: [targetHandbook] });
    expect(nodeData(graph, "helper").unresolvedKnowledgeBases).toBeUndefined();
    // No id of the source workspace survives anywhere in the saved graph.
    expect(JSON.stringify(graph)).not.toContain(sourceKb.handbook);
    expect(JSON.stringify(graph)).not.toContain(sourceKb.prices);

    const problems = validateGraph(graph, nodeRegistry).filter((p) => p.severity === "error");
    expect(problems).toEqual([expect.objectContaining({ nodeId: "search", message: expect.stringContaining('Knowledge base "Price list" not found in this workspace, pick one') })]);
    // It cannot run until someone picks a base.
    const targetMember = { userId: target.userId, workspaceId: target.workspaceId, role: "owner" } as Member;
    await expect(startRun(targetMember, imported.id, { inputs: { question: "?" } })).rejects.toMatchObject({ code: "invalid_graph" });
  });

  it("a name matches ignoring case when only one base fits, never by guessing between two; a base of the same workspace keeps its id", async () => {
    const file = await exportedFile();
    const member = await createTestMember("owner");
    await knowledgeBase(member.workspaceId, "employee handbook");
    await knowledgeBase(member.workspaceId, "EMPLOYEE HANDBOOK");
    const prices = await knowledgeBase(member.workspaceId, "Price List");
    const writer = clientFor((await createKey(member, ["workflows:write"])).secret);
    const imported = await writer.importWorkflow({ file });
    expect(imported.knowledgeBases.map((kb) => [kb.name, kb.status, kb.targetId, kb.reason ?? null])).toEqual([
      ["Employee Handbook", "missing", null, '2 knowledge bases here are named like "Employee Handbook".'],
      ["Price list", "mapped", prices, null],
    ]);
    const graph = (await db().workflow.findUniqueOrThrow({ where: { id: imported.id } })).graph as unknown as Graph;
    expect(nodeData(graph, "helper")).toMatchObject({ knowledgeBases: [], unresolvedKnowledgeBases: ["Employee Handbook"] });

    // Back into the workspace it came from: the same bases, nothing to fix.
    const again = await importRoute.POST(routeRequest("POST", "/api/workflows/import", source.cookie, { file, name: "Copy" }));
    const copy = (await again.json()) as { id: string; knowledgeBases: { status: string; targetId: string }[] };
    expect(copy.knowledgeBases.map((kb) => [kb.status, kb.targetId])).toEqual([
      ["kept", sourceKb.handbook],
      ["kept", sourceKb.prices],
    ]);
    const copyGraph = (await db().workflow.findUniqueOrThrow({ where: { id: copy.id } })).graph as unknown as Graph;
    expect(validateGraph(copyGraph, nodeRegistry).filter((p) => p.severity === "error")).toEqual([]);
  });

  it("a file without names (exported before they were listed) never keeps a foreign id", async () => {
    const { knowledgeBases: _names, ...file } = await exportedFile();
    const target = await createTestMember("owner");
    const writer = clientFor((await createKey(target, ["workflows:write"])).secret);
    const imported = await writer.importWorkflow({ file });
    expect(imported.knowledgeBases.every((kb) => kb.status === "missing" && kb.name === kb.sourceId)).toBe(true);
    const graph = (await db().workflow.findUniqueOrThrow({ where: { id: imported.id } })).graph as unknown as Graph;
    expect(nodeData(graph, "search")).toMatchObject({ knowledgeBaseIds: [], unresolvedKnowledgeBases: [sourceKb.handbook, sourceKb.prices] });
  });
});

describe("workflow files with rerank models", () => {
  const named = async (workspaceId: string, name: string) => (await db().modelProvider.update({ where: { id: (await createTestProvider(workspaceId, "https://example.com/v1", { models: ["rerank-v1"] })).id }, data: { name } })).id;

  it("the export names the rerank providers, an import maps them by name and leaves a missing one as a validation error", async () => {
    const jina = await named(source.workspaceId, "Jina");
    const cohere = await named(source.workspaceId, "Cohere");
    const chat = await createTestProvider(source.workspaceId, "https://example.com/v1");
    const graph = graphUsing(sourceKb.handbook!, sourceKb.prices!, chat.id);
    Object.assign(nodeData(graph, "search"), { rerank: { providerId: jina, model: "rerank-v1" } });
    Object.assign(nodeData(graph, "helper"), { knowledgeRerank: { providerId: cohere, model: "rerank-v1" } });
    const { id } = await createWorkflow(sourceMember, { name: "Reranked helper", graph });
    const file = (await (await exportRoute.GET(routeRequest("GET", `/api/workflows/${id}/export`, source.cookie), routeParams(id))).json()) as WorkflowFile;
    // Only the rerank settings' providers: the chat model's provider is not one of them.
    expect(file.providers).toEqual([
      { id: cohere, name: "Cohere" },
      { id: jina, name: "Jina" },
    ]);

    const target = await signUpUser("Rerank Transfer Target");
    await knowledgeBase(target.workspaceId, "Employee Handbook");
    await knowledgeBase(target.workspaceId, "Price list");
    const targetJina = await named(target.workspaceId, "jina");
    const response = await importRoute.POST(routeRequest("POST", "/api/workflows/import", target.cookie, { file }));
    expect(response.status).toBe(201);
    const imported = (await response.json()) as { id: string; providers: unknown[] };
    expect(imported.providers).toEqual([
      { sourceId: jina, name: "Jina", status: "mapped", targetId: targetJina, nodeIds: ["search"] },
      { sourceId: cohere, name: "Cohere", status: "missing", targetId: null, reason: 'No model provider here is named "Cohere".', nodeIds: ["helper"] },
    ]);

    const saved = (await db().workflow.findUniqueOrThrow({ where: { id: imported.id } })).graph as unknown as Graph;
    expect(nodeData(saved, "search").rerank).toEqual({ providerId: targetJina, model: "rerank-v1" });
    expect(nodeData(saved, "helper").knowledgeRerank).toEqual({ providerId: "", model: "rerank-v1", unresolvedProvider: "Cohere" });
    expect(JSON.stringify(saved)).not.toContain(jina);
    expect(JSON.stringify(saved)).not.toContain(cohere);
    const problems = validateGraph(saved, nodeRegistry).filter((p) => p.severity === "error");
    expect(problems.map((p) => [p.nodeId, p.message])).toContainEqual(["helper", expect.stringContaining('Model provider "Cohere" for reranking not found in this workspace, pick one')]);

    // Back into the workspace it came from: the same providers.
    const again = (await (await importRoute.POST(routeRequest("POST", "/api/workflows/import", source.cookie, { file, name: "Copy" }))).json()) as { providers: { status: string; targetId: string }[] };
    expect(again.providers.map((p) => [p.status, p.targetId])).toEqual([
      ["kept", jina],
      ["kept", cohere],
    ]);
  });
});
