import { forbidden, type ServiceError } from "@/lib/services/errors";
import { hasRole, type Role } from "./member";

/**
 * The one permission table: every action a member (or an API key, through its creator) can take,
 * with the lowest role allowed to take it. Routes declare their action (`withMember(action, …)`,
 * `withApiKey(action, …)`), pages ask `can(member.role, action)`, services call
 * `requirePermission(member, action)`, and API key scopes map to actions (lib/api-keys/scopes.ts).
 * Change a role here and every route, page, service and key follows.
 */
export const PERMISSIONS = {
  "workflow.read": { minimum: "viewer", label: "See workflows, their drafts and published versions" },
  "workflow.export": { minimum: "viewer", label: "Download a workflow file" },
  "workflow.create": { minimum: "editor", label: "Create, duplicate and import workflows" },
  "workflow.edit": { minimum: "editor", label: "Rename workflows and save drafts" },
  "workflow.delete": { minimum: "editor", label: "Delete workflows" },
  // The README says developers publish the versions the API and other workflows call; editors build drafts.
  "workflow.publish": { minimum: "developer", label: "Publish a draft as a new version" },
  "run.read": { minimum: "viewer", label: "See runs, their steps, waits and live events" },
  "run.start": { minimum: "editor", label: "Start, resume and re-run runs" },
  "run.cancel": { minimum: "editor", label: "Cancel runs" },
  "wait.answer": { minimum: "editor", label: "Answer approvals and questions" },
  // Everyone who may see runs may see their sums: the Overview shows nothing a runs list does not.
  "analytics.read": { minimum: "viewer", label: "See the Overview: run, token and cost figures and the agent catalog" },
  "tool.read": { minimum: "viewer", label: "See the workspace's tools" },
  "tool.test": { minimum: "editor", label: "Try a tool in the tool console" },
  "tool.manage": { minimum: "developer", label: "Register, change, import and delete tools" },
  "mcp.manage": { minimum: "developer", label: "See, register, connect and delete MCP servers" },
  "provider.read": { minimum: "viewer", label: "See model providers and aliases (never their keys)" },
  "provider.manage": { minimum: "developer", label: "Add, change, test and delete model providers and aliases" },
  // Everyone may search the workspace's knowledge; editors feed it documents; developers choose
  // embedding models (they spend money on the workspace's providers) and delete whole bases.
  "knowledge.read": { minimum: "viewer", label: "See knowledge bases, their documents and chunks, and test retrieval" },
  "knowledge.edit": { minimum: "editor", label: "Add, re-index and delete documents of knowledge bases" },
  "knowledge.manage": { minimum: "developer", label: "Create, change and delete knowledge bases" },
  "secret.read": { minimum: "editor", label: "See secret names (never their values)" },
  "secret.create": { minimum: "developer", label: "Create secrets" },
  "secret.edit": { minimum: "developer", label: "Rotate and describe secrets" },
  "secret.delete": { minimum: "admin", label: "Delete secrets" },
  // A secret's creator may always change its hosts and role; this is for everyone else's secrets.
  "secret.policy": { minimum: "admin", label: "Change where any secret may be sent and who may use it" },
  "apiKey.manage": { minimum: "developer", label: "Create, list and revoke API keys" },
  "settings.network.read": { minimum: "viewer", label: "See the private-network allow-list" },
  "settings.network.edit": { minimum: "admin", label: "Change the private-network allow-list" },
  "budget.read": { minimum: "admin", label: "See the month's spend, budgets and workflow concurrency limits" },
  "budget.manage": { minimum: "admin", label: "Set or raise budgets and workflow concurrency limits" },
  "member.read": { minimum: "viewer", label: "See the workspace's members and their roles" },
  // Nobody grants a role above their own (lib/members/roles.ts): admins invite up to admin, only owners make owners.
  "member.invite": { minimum: "admin", label: "Invite people, regenerate and revoke invitations" },
  "member.manage": { minimum: "admin", label: "Change members' roles and remove members" },
  // About the caller's own memberships, so every role of the current workspace may take it.
  "membership.own": { minimum: "viewer", label: "Accept invitations, switch workspaces and leave a workspace" },
  "audit.read": { minimum: "admin", label: "Read the audit log and its retention" },
  "audit.export": { minimum: "admin", label: "Download the audit log as CSV or JSON Lines" },
  "audit.settings": { minimum: "admin", label: "Change how long audit entries are kept" },
} as const satisfies Record<string, { minimum: Role; label: string }>;

export type Action = keyof typeof PERMISSIONS;
export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

export const isAction = (value: string): value is Action => Object.hasOwn(PERMISSIONS, value);

/** The lowest role allowed to take `action`. */
export const minimumRole = (action: Action): Role => PERMISSIONS[action].minimum;

/** Whether a member with `role` may take `action`. */
export function can(role: Role, action: Action): boolean {
  return hasRole(role, minimumRole(action));
}

/** The sentence every refusal uses, so a 403 always says what was needed and what the caller is. */
export function refusalMessage(role: Role, action: Action): string {
  return `${PERMISSIONS[action].label} needs the ${minimumRole(action)} role or higher (${action}); you are ${role}.`;
}

/** For services: throws `forbidden` unless the member's role allows `action`. */
export function requirePermission(member: { role: Role }, action: Action): void {
  if (!can(member.role, action)) throw forbiddenFor(member.role, action);
}

export const forbiddenFor = (role: Role, action: Action): ServiceError => forbidden(refusalMessage(role, action));
