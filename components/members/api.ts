import { request } from "@/components/settings/api";
import type { Role } from "@/lib/auth/member";

/** Browser-side calls to /api/members, /api/invitations and /api/workspaces (dates as ISO strings). */

export interface MemberRow {
  id: string;
  userId: string;
  name: string;
  email: string;
  role: Role;
  joinedAt: string;
}

export interface InvitationRow {
  id: string;
  email: string;
  role: Role;
  status: "pending" | "expired" | "accepted" | "revoked";
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
}

export type Delivery = { status: "not_configured" } | { status: "sent" } | { status: "failed"; message: string };

export interface Issued {
  invitation: InvitationRow;
  link: string;
  delivery: Delivery;
}

const json = (method: string, body?: unknown): RequestInit => ({ method, body: body === undefined ? undefined : JSON.stringify(body) });
const at = (base: string, id: string) => `${base}/${encodeURIComponent(id)}`;

export const inviteRequest = (email: string, role: Role) => request<Issued>("/api/invitations", json("POST", { email, role }));
export const regenerateRequest = (id: string) => request<Issued>(`${at("/api/invitations", id)}/regenerate`, json("POST"));
export const revokeRequest = (id: string) => request<void>(at("/api/invitations", id), json("DELETE"));
export const changeRoleRequest = (id: string, role: Role) => request<{ member: MemberRow }>(at("/api/members", id), json("PATCH", { role }));
export const removeMemberRequest = (id: string) => request<void>(at("/api/members", id), json("DELETE"));
export const leaveRequest = (workspaceId: string) => request<void>("/api/members/leave", json("POST", { workspaceId }));
export const acceptRequest = (token: string) => request<{ workspaceId: string; workspaceName: string; role: Role }>("/api/invitations/accept", json("POST", { token }));
export const switchRequest = (workspaceId: string) => request<{ workspaceId: string }>("/api/workspaces/switch", json("POST", { workspaceId }));
