import { request } from "@/components/settings/api";
import type { ToolTestResult } from "@/lib/tools/console";
import type { OpenApiPreview } from "@/lib/tools/openapi";
import type { ToolView } from "@/lib/tools/schema";

export type { OpenApiPreview };

/** Browser-side calls of the Tools page (every failure is an ApiError with the server's message). */

const json = (method: string, body?: unknown): RequestInit => ({ method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const toolPath = (id: string) => `/api/tools/${encodeURIComponent(id)}`;

export const listToolsRequest = () => request<{ tools: ToolView[] }>("/api/tools", json("GET"));
export const createToolRequest = (body: unknown) => request<ToolView>("/api/tools", json("POST", body));
export const updateToolRequest = (id: string, body: unknown) => request<ToolView>(toolPath(id), json("PATCH", body));
export const deleteToolRequest = (id: string) => request<void>(toolPath(id), json("DELETE"));
export const testToolRequest = (id: string, input: unknown) => request<ToolTestResult>(`${toolPath(id)}/test`, json("POST", { input }));
/** Where the import dialog's document is: pasted text, a chosen file (uploaded as multipart, never read into the page) or a URL. */
export type OpenApiDocumentSource = { kind: "text"; text: string } | { kind: "file"; file: File } | { kind: "url"; url: string };

function openApiBody(source: OpenApiDocumentSource, options: Record<string, unknown> = {}): RequestInit {
  if (source.kind !== "file") return json("POST", { ...options, ...(source.kind === "text" ? { text: source.text } : { url: source.url }) });
  const form = new FormData();
  form.append("document", source.file, source.file.name);
  form.append("options", JSON.stringify(options));
  return { method: "POST", body: form };
}

export const previewOpenApiRequest = (source: OpenApiDocumentSource) => request<OpenApiPreview>("/api/tools/openapi/preview", openApiBody(source));
export const importOpenApiRequest = (source: OpenApiDocumentSource, options: Record<string, unknown>) =>
  request<{ sourceId: string; sourceName: string; created: number; updated: number; removed: number; skipped: { key: string; reason: string }[] }>(
    "/api/tools/openapi",
    openApiBody(source, options),
  );
export const secretNamesRequest = async (): Promise<string[]> => {
  try {
    return (await request<{ secrets: { name: string }[] }>("/api/secrets", json("GET"))).secrets.map((s) => s.name);
  } catch {
    return [];
  }
};
export const workflowsRequest = () => request<{ workflows: { id: string; name: string }[] }>("/api/workflows", json("GET"));

/** Parses a JSON text field: the value, or the parser's message for the form. */
export function parseJsonField(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
