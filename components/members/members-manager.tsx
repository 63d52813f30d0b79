"use client";

import { useState } from "react";
import type { Role } from "@/lib/auth/member";
import type { InvitationRow, MemberRow } from "./api";
import { InvitationsTable } from "./invitations-table";
import { InviteDialog } from "./invite-dialog";
import { MembersTable } from "./members-table";

/** Settings → Members: the members list, and for admins the invite dialog and pending invitations. */
export function MembersManager({
  viewer,
  initialMembers,
  initialInvitations,
}: {
  viewer: { userId: string; role: Role; workspaceId: string; canManage: boolean; canInvite: boolean };
  initialMembers: MemberRow[];
  initialInvitations: InvitationRow[];
}) {
  const [members, setMembers] = useState(initialMembers);
  const [invitations, setInvitations] = useState(initialInvitations);
  return (
    <div className="space-y-8">
      <section className="space-y-3" aria-labelledby="members-heading">
        <div className="flex items-center justify-between">
          <h2 id="members-heading" className="text-base font-semibold">
            Members ({members.length})
          </h2>
          {viewer.canInvite ? <InviteDialog actor={viewer.role} onInvited={(issued) => setInvitations((rows) => [issued.invitation, ...rows])} /> : null}
        </div>
        <MembersTable viewer={viewer} members={members} onChange={setMembers} />
      </section>
      {viewer.canInvite ? (
        <section className="space-y-3" aria-labelledby="invitations-heading">
          <h2 id="invitations-heading" className="text-base font-semibold">
            Pending invitations
          </h2>
          <InvitationsTable actor={viewer.role} invitations={invitations} onChange={setInvitations} />
        </section>
      ) : null}
    </div>
  );
}
