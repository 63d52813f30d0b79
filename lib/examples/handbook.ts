import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import type { Db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import type { EmbedderOptions } from "@/lib/knowledge/embeddings";
import type { FileStorage } from "@/lib/storage/types";
import type { ExampleWorkflow } from "./workflows";

/**
 * The "Ask the handbook" example: a small knowledge base of handbook pages this project wrote
 * (lib/examples/handbook/*.md) and a workflow that answers from it with citations. The seed
 * ingests the pages in its own process (no queue, no worker), so the demo works offline.
 */

export const HANDBOOK_KNOWLEDGE_BASE = "Company handbook";
export const HANDBOOK_PAGES = ["leave.md", "expenses.md", "it-security.md"] as const;

export interface HandbookSeed {
  db: Db;
  storage: FileStorage;
  workspaceId: string;
  embedding: { providerId: string; model: string };
  /** Passed to the embedder (tests: network policy). */
  embedder?: Partial<Omit<EmbedderOptions, "db" | "workspaceId">>;
}

const pageText = (name: string) => readFile(new URL(`./handbook/${name}`, import.meta.url), "utf8");

/**
 * Creates the handbook knowledge base if missing, adds the pages it lacks, and indexes every page
 * not yet indexed. Running it again changes nothing and calls no model.
 */
export async function seedHandbook(seed: HandbookSeed): Promise<{ id: string }> {
  const { db, storage, workspaceId } = seed;
  const kb = (await db.knowledgeBase.findFirst({ where: { workspaceId, name: HANDBOOK_KNOWLEDGE_BASE } })) ?? (await createHandbookBase(seed));
  for (const name of HANDBOOK_PAGES) {
    const existing = await db.knowledgeDocument.findFirst({ where: { knowledgeBaseId: kb.id, name } });
    const doc =
      existing ??
      (await (await import("@/lib/knowledge/documents")).addDocument({ db, storage, enqueue: async () => undefined }, kb.id, {
        name,
        mimeType: "text/markdown",
        sourceKind: "file",
        body: Readable.from([Buffer.from(await pageText(name), "utf8")]),
        metadata: { topic: name.replace(/\.md$/, "") },
      }));
    // Imported only when there is work: the parsers and LangChain make a re-seed slow to start otherwise.
    if (doc.status !== "indexed") await (await import("@/lib/knowledge/ingest")).ingestDocument(doc.id, { db, storage, embedder: seed.embedder });
  }
  return { id: kb.id };
}

async function createHandbookBase(seed: HandbookSeed) {
  // The vector length is the model's own, asked once (as creating a knowledge base in the studio does).
  const { createEmbedder } = await import("@/lib/knowledge/embeddings");
  const embedder = await createEmbedder(seed.embedding, { db: seed.db, workspaceId: seed.workspaceId, ...seed.embedder });
  const dimensions = (await embedder.embed(["dimension probe"])).vectors[0]!.length;
  return seed.db.knowledgeBase.create({
    data: {
      workspaceId: seed.workspaceId,
      name: HANDBOOK_KNOWLEDGE_BASE,
      description: "Example: a few handbook pages (leave, expenses, IT security) for the \"Ask the handbook\" workflow.",
      embeddingProviderId: seed.embedding.providerId,
      embeddingModel: seed.embedding.model,
      dimensions,
      chunkSize: 400,
      chunkOverlap: 0,
      splitter: "markdown",
    },
  });
}

/** The sources an answer used, one per line: `[1] leave.md, Leave and time off › Vacation`. */
const SOURCES_TEMPLATE = "{% for c in knowledge.chunks %}[{{ c.citation }}] {{ c.documentName }}{% if c.section %}, {{ c.section }}{% endif %}\n{% endfor %}";

/** Start(question) → Knowledge retrieval → LLM → End(answer, sources). */
export function handbookWorkflow(model: { providerId: string; model: string }, knowledgeBaseId: string): ExampleWorkflow {
  const graph: Graph = {
    version: 1,
    nodes: [
      {
        id: "start",
        type: "start",
        position: { x: 0, y: 120 },
        data: { inputs: [{ name: "question", label: "Question", type: "string", required: true, description: "e.g. How many vacation days do I get?" }] },
      },
      {
        id: "knowledge",
        type: "knowledge",
        position: { x: 300, y: 120 },
        data: { knowledgeBaseIds: [knowledgeBaseId], query: "{{ start.question }}", mode: "hybrid", topK: 3, filter: [] },
      },
      {
        id: "llm",
        type: "llm",
        position: { x: 600, y: 120 },
        data: {
          providerId: model.providerId,
          model: model.model,
          systemPrompt: "Answer the question only from the numbered sources you are given, and cite them like [1]. If they do not answer it, say so.",
          userPrompt: "Question: {{ start.question }}\n\nSources:\n{{ knowledge.context }}",
          temperature: 0,
          outputFormat: "text",
          jsonSchema: "",
        },
      },
      { id: "end", type: "end", position: { x: 900, y: 120 }, data: { outputs: [{ name: "answer", value: "{{ llm.text }}" }, { name: "sources", value: SOURCES_TEMPLATE }] } },
    ],
    edges: [
      { id: "e_start_knowledge", source: "start", target: "knowledge" },
      { id: "e_knowledge_llm", source: "knowledge", target: "llm" },
      { id: "e_llm_end", source: "llm", target: "end" },
    ],
  };
  return { name: "Ask the handbook", description: "Start → Knowledge retrieval → LLM → End: answers from the Company handbook knowledge base and lists the sources it used.", graph };
}
