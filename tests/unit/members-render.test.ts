import { createElement as h, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AppRouterContext, type AppRouterInstance } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { describe, expect, it } from "vitest";
import type { InvitationRow, MemberRow } from "@/components/members/api";
import { MembersManager } from "@/components/members/members-manager";
import { PermissionMatrix } from "@/components/members/permission-matrix";
import { grantableRoles } from "@/components/members/role-select";
import { ROLES } from "@/lib/auth/member";
import { ACTIONS, can } from "@/lib/auth/permissions";

/** First paint of Settings → Members: who may change what, and the matrix drawn from the permission table. */

// A router that goes nowhere: the first paint never navigates.
const router: AppRouterInstance = { push() {}, replace() {}, refresh() {}, back() {}, forward() {}, prefetch() {}, bfcacheId: "render-test" };
const inRouter = (node: ReactNode) => renderToStaticMarkup(h(AppRouterContext.Provider, { value: router }, node));

const member = (id: string, role: MemberRow["role"]): MemberRow => ({ id, userId: `u-${id}`, name: `Name ${id}`, email: `${id}@example.test`, role, joinedAt: "2026-12-01T00:00:00.000Z" });
const members = [member("olga", "owner"), member("adam", "admin"), member("vera", "viewer")];
const invitations: InvitationRow[] = [
  { id: "i1", email: "new@example.test", role: "developer", status: "pending", invitedBy: "Name olga", createdAt: "2026-12-01T00:00:00.000Z", expiresAt: "2026-12-08T00:00:00.000Z" },
  { id: "i2", email: "boss@example.test", role: "owner", status: "expired", invitedBy: "Name olga", createdAt: "2026-11-01T00:00:00.000Z", expiresAt: "2026-11-08T00:00:00.000Z" },
];

const render = (role: MemberRow["role"], userId: string) =>
  inRouter(
    h(MembersManager, {
      viewer: { userId, role, workspaceId: "w", canManage: can(role, "member.manage"), canInvite: can(role, "member.invite") },
      initialMembers: members,
      initialInvitations: can(role, "member.invite") ? invitations : [],
    }),
  );

describe("Settings → Members", () => {
  it("an admin manages members up to admin, not the owner, and sees invitations with new link / revoke up to admin", () => {
    const html = render("admin", "u-adam");
    expect(html).toContain('aria-label="Role of vera@example.test"');
    expect(html).not.toContain('aria-label="Role of olga@example.test"');
    expect(html).toContain('aria-label="Remove vera@example.test"');
    expect(html).not.toContain('aria-label="Remove olga@example.test"');
    expect(html).toContain('data-testid="leave-workspace"');
    expect(html).toContain('data-testid="invite-member"');
    expect(html).toContain('aria-label="New link for new@example.test"');
    expect(html).not.toContain('aria-label="Revoke invitation for boss@example.test"');
    expect(html).toContain("Expired");
    expect(grantableRoles("admin")).toEqual(["admin", "developer", "editor", "viewer"]);
    expect(grantableRoles("owner")).toEqual([...ROLES]);
  });

  it("a viewer sees the members and can only leave", () => {
    const html = render("viewer", "u-vera");
    for (const m of members) expect(html).toContain(m.email);
    expect(html).not.toContain("Role of");
    expect(html).not.toContain("Remove ");
    expect(html).not.toContain('data-testid="invite-member"');
    expect(html).not.toContain("Pending invitations");
    expect(html).toContain('data-testid="leave-workspace"');
  });

  it("the permission matrix has one row per action and one cell per role, checked exactly where the table allows", () => {
    const html = renderToStaticMarkup(h(PermissionMatrix));
    const rows = [...html.matchAll(/<tr[^>]*data-action="([^"]+)"[^>]*>(.*?)<\/tr>/g)];
    expect(rows.map((r) => r[1])).toEqual(ACTIONS);
    for (const [, action, cells] of rows) {
      for (const role of ROLES) {
        expect(cells, `${action} × ${role}`).toContain(`data-role="${role}" data-allowed="${can(role, action as (typeof ACTIONS)[number])}"`);
      }
    }
  });
});
