import { request } from "@/components/settings/api";
import type { CreateMcpSourceInput, McpSourceView, McpStdioOptions, McpSyncResult, McpToolView } from "@/lib/tools/mcp/schema";

/** Browser-side calls to /api/tool-sources/mcp (errors become ApiError with the server's message). */

const path = (id: string) => `/api/tool-sources/mcp/${encodeURIComponent(id)}`;

export const listMcpSourcesRequest = () => request<{ sources: McpSourceView[]; stdio: McpStdioOptions }>("/api/tool-sources/mcp", { method: "GET" });

export const createMcpSourceRequest = (input: CreateMcpSourceInput) =>
  request<McpSourceView>("/api/tool-sources/mcp", { method: "POST", body: JSON.stringify(input) });

export const deleteMcpSourceRequest = (id: string) => request<void>(path(id), { method: "DELETE" });

export const connectMcpSourceRequest = (id: string) => request<McpSyncResult>(`${path(id)}/connect`, { method: "POST" });

export const updateMcpToolRequest = (sourceId: string, toolId: string, input: { requireApproval: boolean }) =>
  request<McpToolView>(`${path(sourceId)}/tools/${encodeURIComponent(toolId)}`, { method: "PATCH", body: JSON.stringify(input) });
