import type { Metadata } from "next";
import { MembersManager } from "@/components/members/members-manager";
import { PermissionMatrix } from "@/components/members/permission-matrix";
import { PageHeader } from "@/components/shell/page-header";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listInvitations } from "@/lib/members/invitations";
import { listMembers } from "@/lib/members/service";

export const metadata: Metadata = { title: "Members" };

export default async function MembersSettingsPage() {
  const member = await requireMember("member.read");
  const canInvite = can(member.role, "member.invite");
  const [members, invitations] = await Promise.all([listMembers(member), canInvite ? listInvitations(member) : Promise.resolve([])]);
  return (
    <div className="mx-auto max-w-5xl space-y-8 p-8">
      <PageHeader title="Members" description={`Who belongs to ${member.workspaceName}, and what each role may do.`} />
      <MembersManager
        viewer={{ userId: member.userId, role: member.role, workspaceId: member.workspaceId, canManage: can(member.role, "member.manage"), canInvite }}
        initialMembers={members.map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString() }))}
        initialInvitations={invitations.map((i) => ({ ...i, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString() }))}
      />
      {can(member.role, "member.manage") ? (
        <section className="space-y-3" aria-labelledby="matrix-heading">
          <h2 id="matrix-heading" className="text-base font-semibold">
            What each role may do
          </h2>
          <p className="text-sm text-muted-foreground">The permission table every page, API route and API key follows.</p>
          <PermissionMatrix />
        </section>
      ) : null}
    </div>
  );
}
