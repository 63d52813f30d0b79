import { z } from "zod";
import { can, type Action } from "@/lib/auth/permissions";
import type { Role } from "@/lib/auth/member";

/** What an API key may do. Declared once; the settings form, the routes and the OpenAPI document read this list. */
export const API_SCOPES = ["workflows:read", "workflows:write", "runs:read", "runs:write", "waits:answer", "tools:read", "tools:write", "knowledge:read", "knowledge:write"] as const;
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
  "knowledge:read": "List knowledge bases and their documents, and query them",
  "knowledge:write": "Create knowledge bases, add and delete documents",
};

/**
 * The actions of the permission table (lib/auth/permissions.ts) each scope allows. A key acts with
 * the lesser of its scopes and its creator's current role: a v1 route's action must be in one of
 * the key's scopes *and* allowed for the creator's role.
 */
export const SCOPE_ACTIONS = {
  "workflows:read": ["workflow.read"],
  "workflows:write": ["workflow.create"],
  "runs:read": ["run.read"],
  "runs:write": ["run.start", "run.cancel"],
  "waits:answer": ["wait.answer"],
  "tools:read": ["tool.read"],
  "tools:write": ["tool.manage"],
  "knowledge:read": ["knowledge.read"],
  // A creator demoted to editor keeps adding documents with it but can no longer create knowledge bases.
  "knowledge:write": ["knowledge.edit", "knowledge.manage"],
} as const satisfies Record<ApiScope, readonly Action[]>;

/** The scope that grants `action` to a key, or null when no scope does (the action is studio-only). */
export function scopeFor(action: Action): ApiScope | null {
  return API_SCOPES.find((scope) => (SCOPE_ACTIONS[scope] as readonly Action[]).includes(action)) ?? null;
}

/** Scopes whose every action `role` may take: what a member with that role may put on a key. */
export const scopesAllowedFor = (role: Role): ApiScope[] => API_SCOPES.filter((scope) => SCOPE_ACTIONS[scope].every((action) => can(role, action)));
