import { z } from "zod";

/** What an API key may do. Declared once; the settings form, the routes and the OpenAPI document read this list. */
export const API_SCOPES = ["workflows:read", "workflows:write", "runs:read", "runs:write", "waits:answer", "tools:read", "tools:write"] as const;
export type ApiScope = (typeof API_SCOPES)[number];
export const ApiScopeSchema = z.enum(API_SCOPES);

export const API_SCOPE_LABELS: Record<ApiScope, string> = {
  "workflows:read": "List published workflows and their input schemas",
  "workflows:write": "Import workflow files as new drafts",
  "runs:read": "Read runs and follow their events",
  "runs:write": "Start and cancel runs of published workflows",
  // Separate from runs:write: a key that starts runs should not also approve them unless granted.
  "waits:answer": "Answer approvals and questions of waiting runs",
  "tools:read": "List the workspace's tools and their input schemas",
  "tools:write": "Register HTTP and code tools and import OpenAPI documents",
};
