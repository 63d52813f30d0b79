import { createElement as h, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AppRouterContext, type AppRouterInstance } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { describe, expect, it } from "vitest";
import type { DocumentView, KnowledgeBaseView } from "@/components/knowledge/api";
import { embeddingOptions } from "@/components/knowledge/embedding-models";
import { KnowledgeBaseDetail } from "@/components/knowledge/knowledge-base-detail";
import { KnowledgeBasesList } from "@/components/knowledge/knowledge-bases-list";
import { RetrievalColumn } from "@/components/knowledge/retrieval-panel";
import { parseTags } from "@/components/knowledge/tags";
import { documentView, knowledgeBaseView } from "@/components/knowledge/views";
import { can } from "@/lib/auth/permissions";

/** First paint of the Knowledge pages: who sees which controls, document statuses, retrieval results. */

const router: AppRouterInstance = { push() {}, replace() {}, refresh() {}, back() {}, forward() {}, prefetch() {}, bfcacheId: "render-test" };
const inRouter = (node: ReactNode) => renderToStaticMarkup(h(AppRouterContext.Provider, { value: router }, node));

const kb = (embeddingModel: string): KnowledgeBaseView =>
  knowledgeBaseView({
    id: "0b0b0b0b-0000-4000-8000-000000000001",
    name: "HR handbook",
    description: "Policies",
    embeddingProviderId: "0b0b0b0b-0000-4000-8000-0000000000aa",
    embeddingModel,
    dimensions: 256,
    chunkSize: 1000,
    chunkOverlap: 150,
    splitter: "recursive",
    indexGeneration: 1,
    reindex: null,
    createdAt: new Date("2026-12-01T00:00:00.000Z"),
    _count: { documents: 3 },
  });

const doc = (id: string, status: string, extra: Partial<DocumentView> = {}): DocumentView =>
  documentView({
    id,
    name: `${id}.pdf`,
    mimeType: "application/pdf",
    sizeBytes: 2048,
    chunksTotal: 0,
    chunksDone: 0,
    error: null,
    metadata: {},
    createdAt: new Date("2026-12-01T00:00:00.000Z"),
    ...extra,
    status,
  });

const documents = [
  doc("leave", "indexed", { chunksTotal: 12, chunksDone: 12, metadata: { department: "HR", year: 2026 } }),
  doc("travel", "embedding", { chunksTotal: 40, chunksDone: 16 }),
  doc("scan", "failed", { error: { code: "encrypted", message: "The PDF is encrypted." } }),
];

describe("Knowledge → list", () => {
  it("a developer sees the knowledge bases with New and Delete; a viewer only the list", () => {
    const developer = inRouter(h(KnowledgeBasesList, { initialKnowledgeBases: [kb("text-embedding-3-small")], canManage: can("developer", "knowledge.manage") }));
    expect(developer).toContain('data-testid="new-knowledge-base"');
    expect(developer).toContain('aria-label="Delete HR handbook"');
    expect(developer).toContain('href="/knowledge/0b0b0b0b-0000-4000-8000-000000000001"');
    expect(developer).toContain("text-embedding-3-small");

    const viewer = inRouter(h(KnowledgeBasesList, { initialKnowledgeBases: [kb("text-embedding-3-small")], canManage: can("viewer", "knowledge.manage") }));
    expect(viewer).toContain("HR handbook");
    expect(viewer).not.toContain('data-testid="new-knowledge-base"');
    expect(viewer).not.toContain("Delete HR handbook");
    expect(can("editor", "knowledge.manage")).toBe(false);
  });

  it("an empty workspace gets an explanation instead of a table", () => {
    const html = inRouter(h(KnowledgeBasesList, { initialKnowledgeBases: [], canManage: true }));
    expect(html).toContain("No knowledge bases yet");
    expect(html).not.toContain('data-testid="knowledge-bases-table"');
  });

  it("embedding choices come from providers that can embed, embedding-named models first", () => {
    const options = embeddingOptions([
      { id: "p1", name: "OpenAI", kind: "openai_compatible", models: ["gpt-4o-mini", "text-embedding-3-small"] },
      { id: "p2", name: "Anthropic", kind: "anthropic", models: ["claude-sonnet-4"] },
      { id: "p3", name: "Local", kind: "ollama", models: ["nomic-embed-text"] },
    ]);
    expect(options.map((o) => o.value)).toEqual(["p1|text-embedding-3-small", "p3|nomic-embed-text", "p1|gpt-4o-mini"]);
    expect(options[0]).toMatchObject({ providerId: "p1", model: "text-embedding-3-small", label: "OpenAI · text-embedding-3-small" });
  });
});

describe("Knowledge → one knowledge base", () => {
  it("an editor sees each document's status, progress, size, tags and error, and can upload, paste and delete", () => {
    const html = inRouter(h(KnowledgeBaseDetail, { knowledgeBase: kb("text-embedding-3-small"), initialDocuments: documents, canEdit: can("editor", "knowledge.edit") }));
    expect(html.match(/data-testid="document-row"/g)).toHaveLength(3);
    expect(html).toContain('data-status="indexed"');
    expect(html).toContain('aria-label="16 of 40 chunks embedded"');
    expect(html).toContain("The PDF is encrypted.");
    expect(html).toContain("department: HR");
    expect(html).toContain("year: 2026");
    expect(html).toContain("2.0 KB");
    expect(html).toContain('data-testid="ingesting-note"');
    expect(html).toContain('data-testid="upload-drop-zone"');
    expect(html).toMatch(/<input[^>]*type="file"[^>]*multiple=""[^>]*aria-label="Upload files"/);
    expect(html).toContain('data-testid="paste-text-open"');
    expect(html).toContain('data-testid="upload-tags"');
    expect(html).toContain('aria-label="Delete travel.pdf"');
    expect(html).toContain('data-testid="retrieval-query"');
    expect(html).not.toContain('data-testid="demo-embedding-note"');
  });

  it("a viewer reads documents and tests retrieval but cannot add or delete; no polling note once all are finished", () => {
    const finished = documents.filter((d) => d.status !== "embedding");
    const html = inRouter(h(KnowledgeBaseDetail, { knowledgeBase: kb("demo-embedding"), initialDocuments: finished, canEdit: can("viewer", "knowledge.edit") }));
    expect(html.match(/data-testid="document-row"/g)).toHaveLength(2);
    expect(html).not.toContain('data-testid="upload-drop-zone"');
    expect(html).not.toContain('data-testid="paste-text-open"');
    expect(html).not.toContain("Delete leave.pdf");
    expect(html).not.toContain('data-testid="ingesting-note"');
    expect(html).toContain('data-testid="retrieval-panel"');
    expect(html).toContain("demo embeddings are lexical, not semantic");
    for (const mode of ["vector", "keyword", "hybrid"]) expect(html).toContain(`data-testid="retrieval-${mode}"`);
  });

  it("a retrieval column lists the ranked chunks with citation, document, score, page and section", () => {
    const chunk = { knowledgeBaseId: "kb", documentId: "d", text: "Annual leave is 25 days.", citation: 1 };
    const html = renderToStaticMarkup(
      h(RetrievalColumn, {
        mode: "hybrid",
        title: "Hybrid",
        outcome: {
          state: "done",
          result: {
            mode: "hybrid",
            context: "",
            chunks: [
              { ...chunk, chunkId: "c1", documentName: "leave.pdf", score: 1, page: 3, section: "Leave > Annual", citation: 1 },
              { ...chunk, chunkId: "c2", documentName: "travel.md", score: 0.4567, page: null, section: null, citation: 2 },
            ],
          },
        },
      }),
    );
    expect(html.match(/data-testid="retrieval-chunk"/g)).toHaveLength(2);
    expect(html).toContain("[1] leave.pdf");
    expect(html).toContain("page 3 · Leave &gt; Annual");
    expect(html).toContain('aria-label="Score 0.457"');
    expect(html.indexOf("leave.pdf")).toBeLessThan(html.indexOf("travel.md"));
    expect(renderToStaticMarkup(h(RetrievalColumn, { mode: "vector", title: "Vector", outcome: { state: "failed", message: "The embedding model failed: down" } }))).toContain("The embedding model failed: down");
  });
});

describe("Knowledge → tags typed for new documents", () => {
  it("reads key=value pairs, treats an empty field as no tags and refuses a pair without a key", () => {
    expect(parseTags(" department = HR, year=2026 ,")).toEqual({ ok: true, tags: { department: "HR", year: "2026" } });
    expect(parseTags("  ")).toEqual({ ok: true, tags: undefined });
    expect(parseTags("HR")).toEqual({ ok: false, message: '"HR" is not key=value.' });
    expect(parseTags("=x")).toMatchObject({ ok: false });
  });
});

describe("Knowledge → index settings and chunks", () => {
  it("a developer gets Index settings; during a re-index the page says what is being built and that the old index answers", () => {
    const reindexing: KnowledgeBaseView = {
      ...kb("test-embedding"),
      reindex: { generation: 2, embeddingProviderId: "p", embeddingModel: "text-embedding-3-large", dimensions: 3072, chunkSize: 500, chunkOverlap: 50, splitter: "markdown", startedAt: "2026-12-01T00:00:00.000Z" },
    };
    const developer = inRouter(h(KnowledgeBaseDetail, { knowledgeBase: reindexing, initialDocuments: documents, canEdit: true, canManage: can("developer", "knowledge.manage") }));
    expect(developer).toContain('data-testid="index-settings-open"');
    expect(developer).toMatch(/Re-indexing with <code[^>]*>text-embedding-3-large<\/code>, chunks of 500 characters with 50 overlap \(markdown\): 2 of 3\s*documents done/);
    expect(developer).toMatch(/Queries use the current index \(<code[^>]*>test-embedding<\/code>\)/);
    // Indexed documents offer their chunks, to every role.
    expect(developer.match(/data-testid="open-chunks"/g)).toHaveLength(1);

    const editor = inRouter(h(KnowledgeBaseDetail, { knowledgeBase: kb("test-embedding"), initialDocuments: documents, canEdit: true, canManage: can("editor", "knowledge.manage") }));
    expect(editor).not.toContain("index-settings-open");
    expect(editor).not.toContain("reindex-status");
    const viewer = inRouter(h(KnowledgeBaseDetail, { knowledgeBase: kb("test-embedding"), initialDocuments: documents, canEdit: false }));
    expect(viewer).toContain('data-testid="open-chunks"');
  });
});
