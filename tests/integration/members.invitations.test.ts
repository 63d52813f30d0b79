import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as acceptRoute from "@/app/api/invitations/accept/route";
import * as invitationRoute from "@/app/api/invitations/[id]/route";
import * as regenerateRoute from "@/app/api/invitations/[id]/regenerate/route";
import * as invitationsRoute from "@/app/api/invitations/route";
import * as leaveRoute from "@/app/api/members/leave/route";
import * as memberRoute from "@/app/api/members/[id]/route";
import * as membersRoute from "@/app/api/members/route";
import * as switchRoute from "@/app/api/workspaces/switch/route";
import * as workflowsRoute from "@/app/api/workflows/route";
import { auth, createAuth } from "@/lib/auth/auth";
import type { Role } from "@/lib/auth/member";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { db } from "@/lib/db/client";
import { previewInvitation } from "@/lib/members/accept";
import type { IssuedInvitation } from "@/lib/members/invitations";
import type { MemberView } from "@/lib/members/service";
import { BASE_URL, routeParams, routeRequest, signUpUser } from "./helpers/session";

/**
 * Members and invitations through the real route handlers and better-auth: invite, accept with a
 * new account (WEFT_SIGNUP=invite) and an existing one, expired / revoked / someone else's links,
 * role changes and removal with last-owner protection, leaving, and switching workspaces.
 */

type Person = { cookie: string; userId: string; workspaceId: string; email: string };
const PASSWORD = "correct-horse-1";

async function person(name: string): Promise<Person> {
  const signed = await signUpUser(name);
  const user = await db().user.findUniqueOrThrow({ where: { id: signed.userId } });
  return { ...signed, email: user.email };
}

/** The cookie of `who`, acting in `workspaceId`. */
const inWorkspace = (who: { cookie: string }, workspaceId: string) => `${who.cookie}; ${WORKSPACE_COOKIE}=${workspaceId}`;

async function invite(cookie: string, email: string, role: Role): Promise<Response> {
  return invitationsRoute.POST(routeRequest("POST", "/api/invitations", cookie, { email, role }));
}

async function issued(cookie: string, email: string, role: Role): Promise<IssuedInvitation & { token: string }> {
  const response = await invite(cookie, email, role);
  expect(response.status, await response.clone().text()).toBe(201);
  const body = (await response.json()) as IssuedInvitation;
  return { ...body, token: body.link.split("/invite/")[1]! };
}

const accept = (cookie: string, token: string) => acceptRoute.POST(routeRequest("POST", "/api/invitations/accept", cookie, { token }));
const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string; reason?: string } }).error;

async function members(cookie: string): Promise<MemberView[]> {
  const response = await membersRoute.GET(routeRequest("GET", "/api/members", cookie));
  expect(response.status).toBe(200);
  return ((await response.json()) as { members: MemberView[] }).members;
}

function signUpWith(mode: "invite" | "open", email: string, invitationToken?: string) {
  return createAuth({ signUpMode: mode }).handler(
    new Request(`${BASE_URL}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: BASE_URL },
      body: JSON.stringify({ email, password: PASSWORD, name: "Invited Ivy", ...(invitationToken ? { invitationToken } : {}) }),
    }),
  );
}

async function signIn(email: string): Promise<string> {
  const response = await auth().handler(
    new Request(`${BASE_URL}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": "application/json", origin: BASE_URL }, body: JSON.stringify({ email, password: PASSWORD }) }),
  );
  expect(response.status).toBe(200);
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
}

const audits = (workspaceId: string, action: string) => db().auditEvent.findMany({ where: { workspaceId, action }, orderBy: { createdAt: "asc" } });

let owner: Person;

beforeAll(async () => {
  owner = await person("Team Owner");
});

describe("inviting and accepting", () => {
  it("invite → sign up through the link under WEFT_SIGNUP=invite, for the invited email only → joins with the invited role and no workspace of their own", async () => {
    const email = `ivy-${randomUUID().slice(0, 8)}@example.test`;
    const invitation = await issued(owner.cookie, email.toUpperCase(), "developer");
    expect(invitation.invitation).toMatchObject({ email, role: "developer", status: "pending" });
    expect(invitation.link).toMatch(/^http:\/\/localhost:3000\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(invitation.delivery).toEqual({ status: "not_configured" });
    // Only the hash is stored.
    const row = await db().invitation.findUniqueOrThrow({ where: { id: invitation.invitation.id } });
    expect(JSON.stringify(row)).not.toContain(invitation.token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThan(6.9 * 86_400_000);

    // Not invited, invited but without the link, and the link with another email: all refused.
    for (const [address, token] of [
      [`stranger-${randomUUID().slice(0, 8)}@example.test`, undefined],
      [email, undefined],
      [`stranger-${randomUUID().slice(0, 8)}@example.test`, invitation.token],
    ] as const) {
      const refused = await signUpWith("invite", address, token);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { code: string }).code).toBe("SIGN_UP_BY_INVITATION_ONLY");
    }
    expect(await db().user.count({ where: { email } })).toBe(0);

    const signedUp = await signUpWith("invite", email, invitation.token);
    expect(signedUp.status).toBe(200);
    const user = await db().user.findUniqueOrThrow({ where: { email }, include: { memberships: true } });
    expect(user.memberships.map((m) => [m.workspaceId, m.role])).toEqual([[owner.workspaceId, "developer"]]);
    expect((await previewInvitation(invitation.token)).status).toBe("accepted");

    // Their first request lands in the inviting workspace with the invited role.
    const cookie = await signIn(email);
    expect((await members(cookie)).find((m) => m.email === email)?.role).toBe("developer");
    expect((await audits(owner.workspaceId, "member.invited")).some((a) => a.targetId === invitation.invitation.id)).toBe(true);
    const joined = (await audits(owner.workspaceId, "member.joined")).find((a) => a.actorUserId === user.id);
    expect(joined?.metadata).toMatchObject({ via: "sign_up", after: { role: "developer" } });
  });

  it("accept with an existing account (signed in): joins, the invited workspace becomes current, a second click is harmless", async () => {
    const existing = await person("Existing Eve");
    const invitation = await issued(owner.cookie, existing.email, "editor");
    expect(await previewInvitation(invitation.token)).toMatchObject({ status: "pending", role: "editor", workspaceId: owner.workspaceId, email: existing.email });

    const accepted = await accept(existing.cookie, invitation.token);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ workspaceId: owner.workspaceId, role: "editor", alreadyMember: false });
    expect(accepted.headers.get("set-cookie")).toContain(`${WORKSPACE_COOKIE}=${owner.workspaceId}`);
    expect((await members(inWorkspace(existing, owner.workspaceId))).find((m) => m.userId === existing.userId)?.role).toBe("editor");
    // They keep their own workspace too.
    expect(await db().membership.count({ where: { userId: existing.userId } })).toBe(2);

    const again = await accept(existing.cookie, invitation.token);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ alreadyMember: true, role: "editor" });
    expect((await audits(owner.workspaceId, "member.joined")).filter((a) => a.actorUserId === existing.userId)).toHaveLength(1);
  });

  it("the link is bound to the invited email: another account cannot accept it, and it stays pending", async () => {
    const invited = `bound-${randomUUID().slice(0, 8)}@example.test`;
    const invitation = await issued(owner.cookie, invited, "viewer");
    const other = await person("Other Otto");
    const refused = await accept(other.cookie, invitation.token);
    expect(refused.status).toBe(403);
    const error = await errorOf(refused);
    expect(error.message).toContain(`b•••@example.test`);
    expect(error.message).not.toContain(invited);
    expect((await previewInvitation(invitation.token)).status).toBe("pending");
    expect(await db().membership.count({ where: { userId: other.userId, workspaceId: owner.workspaceId } })).toBe(0);
  });

  it("an expired link is refused with a clear message", async () => {
    const someone = await person("Late Lou");
    const invitation = await issued(owner.cookie, someone.email, "viewer");
    await db().invitation.update({ where: { id: invitation.invitation.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await previewInvitation(invitation.token)).status).toBe("expired");
    const refused = await accept(someone.cookie, invitation.token);
    expect(refused.status).toBe(409);
    expect(await errorOf(refused)).toMatchObject({ reason: "expired", message: expect.stringContaining("has expired") });
    // Under invite, an expired link does not open sign-up either.
    const fresh = `late-${randomUUID().slice(0, 8)}@example.test`;
    const expiredSignUp = await issued(owner.cookie, fresh, "viewer");
    await db().invitation.update({ where: { id: expiredSignUp.invitation.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await signUpWith("invite", fresh, expiredSignUp.token)).status).toBe(403);

    // Regenerating gives a new link and expiry; the old link stays dead.
    const regenerated = await regenerateRoute.POST(routeRequest("POST", `/api/invitations/${invitation.invitation.id}/regenerate`, owner.cookie), routeParams(invitation.invitation.id));
    expect(regenerated.status).toBe(200);
    const renewed = (await regenerated.json()) as IssuedInvitation;
    expect(renewed.invitation.status).toBe("pending");
    expect(renewed.link).not.toBe(invitation.link);
    expect((await previewInvitation(invitation.token)).status).toBe("invalid");
    expect((await accept(someone.cookie, renewed.link.split("/invite/")[1]!)).status).toBe(200);
  });

  it("a revoked link is refused, and revoking is recorded", async () => {
    const someone = await person("Revoked Rae");
    const invitation = await issued(owner.cookie, someone.email, "admin");
    const revoked = await invitationRoute.DELETE(routeRequest("DELETE", `/api/invitations/${invitation.invitation.id}`, owner.cookie), routeParams(invitation.invitation.id));
    expect(revoked.status).toBe(204);
    expect((await previewInvitation(invitation.token)).status).toBe("revoked");
    const refused = await accept(someone.cookie, invitation.token);
    expect(refused.status).toBe(409);
    expect(await errorOf(refused)).toMatchObject({ reason: "revoked", message: expect.stringContaining("revoked") });
    expect((await audits(owner.workspaceId, "invitation.revoked")).map((a) => a.targetId)).toContain(invitation.invitation.id);
    // Gone from the pending list; the email can be invited again.
    const listed = (await (await invitationsRoute.GET(routeRequest("GET", "/api/invitations", owner.cookie))).json()) as { invitations: { id: string }[] };
    expect(listed.invitations.map((i) => i.id)).not.toContain(invitation.invitation.id);
    expect((await invite(owner.cookie, someone.email, "viewer")).status).toBe(201);
  });

  it("refuses a second live invitation for one email, an existing member, and a bad email", async () => {
    const email = `twice-${randomUUID().slice(0, 8)}@example.test`;
    await issued(owner.cookie, email, "viewer");
    expect((await invite(owner.cookie, email, "editor")).status).toBe(409);
    const me = await db().user.findUniqueOrThrow({ where: { id: owner.userId } });
    expect((await invite(owner.cookie, me.email, "viewer")).status).toBe(409);
    const bad = await invite(owner.cookie, "not an email", "viewer");
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toBeTruthy();
  });
});

describe("roles", () => {
  let team: { owner: Person; admin: Person; viewer: Person; adminId: string; viewerId: string; ownerId: string };

  beforeAll(async () => {
    const teamOwner = await person("Roles Owner");
    const admin = await person("Roles Admin");
    const viewer = await person("Roles Viewer");
    const adminRow = await db().membership.create({ data: { workspaceId: teamOwner.workspaceId, userId: admin.userId, role: "admin" } });
    const viewerRow = await db().membership.create({ data: { workspaceId: teamOwner.workspaceId, userId: viewer.userId, role: "viewer" } });
    const ownerRow = await db().membership.findFirstOrThrow({ where: { workspaceId: teamOwner.workspaceId, userId: teamOwner.userId } });
    team = {
      owner: { ...teamOwner, cookie: inWorkspace(teamOwner, teamOwner.workspaceId) },
      admin: { ...admin, cookie: inWorkspace(admin, teamOwner.workspaceId) },
      viewer: { ...viewer, cookie: inWorkspace(viewer, teamOwner.workspaceId) },
      adminId: adminRow.id,
      viewerId: viewerRow.id,
      ownerId: ownerRow.id,
    };
  });

  const patch = (cookie: string, id: string, role: Role) => memberRoute.PATCH(routeRequest("PATCH", `/api/members/${id}`, cookie, { role }), routeParams(id));
  const remove = (cookie: string, id: string) => memberRoute.DELETE(routeRequest("DELETE", `/api/members/${id}`, cookie), routeParams(id));
  const leave = (cookie: string, workspaceId: string) => leaveRoute.POST(routeRequest("POST", "/api/members/leave", cookie, { workspaceId }));

  it("an admin cannot grant or touch more than admin; only an owner invites or promotes an owner", async () => {
    expect((await invite(team.admin.cookie, `o-${randomUUID().slice(0, 8)}@example.test`, "owner")).status).toBe(403);
    expect((await invite(team.admin.cookie, `a-${randomUUID().slice(0, 8)}@example.test`, "admin")).status).toBe(201);
    expect((await patch(team.admin.cookie, team.viewerId, "owner")).status).toBe(403);
    const demoteOwner = await patch(team.admin.cookie, team.ownerId, "viewer");
    expect(demoteOwner.status).toBe(403);
    expect((await errorOf(demoteOwner)).message).toBe("Only an owner can change the role of an owner.");
    expect((await remove(team.admin.cookie, team.ownerId)).status).toBe(403);
    expect((await invite(team.viewer.cookie, `v-${randomUUID().slice(0, 8)}@example.test`, "viewer")).status).toBe(403);
  });

  it("a role change takes effect on the member's next request", async () => {
    // A viewer may not create workflows…
    const create = (cookie: string) => workflowsRoute.POST(routeRequest("POST", "/api/workflows", cookie, { name: "Made by the promoted" }));
    expect((await create(team.viewer.cookie)).status).toBe(403);
    const changed = await patch(team.admin.cookie, team.viewerId, "editor");
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { member: MemberView }).member.role).toBe("editor");
    // …and, made editor, may on the very next request (same session cookie).
    expect((await create(team.viewer.cookie)).status).toBe(201);
    const [entry] = (await audits(team.owner.workspaceId, "member.role_changed")).filter((a) => a.targetId === team.viewerId);
    expect(entry?.metadata).toMatchObject({ before: { role: "viewer" }, after: { role: "editor" } });
  });

  it("the last owner can never be demoted, removed or leave; with a second owner they can", async () => {
    const demote = await patch(team.owner.cookie, team.ownerId, "admin");
    expect(demote.status).toBe(409);
    expect(await errorOf(demote)).toMatchObject({ reason: "last_owner" });
    expect((await remove(team.owner.cookie, team.ownerId)).status).toBe(409);
    const left = await leave(team.owner.cookie, team.owner.workspaceId);
    expect(left.status).toBe(409);
    expect((await errorOf(left)).message).toMatch(/^You are the workspace's last owner/);
    expect(await db().membership.count({ where: { workspaceId: team.owner.workspaceId, role: "owner" } })).toBe(1);

    // Two owners demoting each other at the same moment: one wins, the workspace keeps an owner.
    expect((await patch(team.owner.cookie, team.adminId, "owner")).status).toBe(200);
    const [a, b] = await Promise.all([patch(team.owner.cookie, team.adminId, "admin"), patch(team.admin.cookie, team.ownerId, "admin")]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(await db().membership.count({ where: { workspaceId: team.owner.workspaceId, role: "owner" } })).toBe(1);
  });

  it("a member leaves (the workspace named explicitly), an admin removes a member, both recorded", async () => {
    const leaver = await person("Leaving Lee");
    const row = await db().membership.create({ data: { workspaceId: team.owner.workspaceId, userId: leaver.userId, role: "editor" } });
    const cookie = inWorkspace(leaver, team.owner.workspaceId);
    expect((await leave(cookie, leaver.workspaceId)).status).toBe(400);
    const left = await leave(cookie, team.owner.workspaceId);
    expect(left.status).toBe(204);
    expect(left.headers.get("set-cookie")).toContain(`${WORKSPACE_COOKIE}=;`);
    expect(await db().membership.count({ where: { id: row.id } })).toBe(0);
    expect((await audits(team.owner.workspaceId, "member.left")).map((a) => a.targetId)).toContain(row.id);

    const removable = await person("Removed Ray");
    const removableRow = await db().membership.create({ data: { workspaceId: team.owner.workspaceId, userId: removable.userId, role: "developer" } });
    const owners = await db().membership.findFirstOrThrow({ where: { workspaceId: team.owner.workspaceId, role: "owner" }, include: { user: true } });
    const ownerCookie = owners.userId === team.owner.userId ? team.owner.cookie : team.admin.cookie;
    expect((await remove(ownerCookie, removableRow.id)).status).toBe(204);
    // The removed member's next request no longer sees the workspace.
    expect((await members(inWorkspace(removable, team.owner.workspaceId))).map((m) => m.userId)).toEqual([removable.userId]);
    const [removed] = (await audits(team.owner.workspaceId, "member.removed")).filter((a) => a.targetId === removableRow.id);
    expect(removed?.metadata).toMatchObject({ before: { role: "developer" }, after: null });
  });
});

describe("several workspaces", () => {
  it("switching changes what the member sees", async () => {
    const alice = await person("Switching Alice");
    const invitation = await issued(owner.cookie, alice.email, "editor");
    expect((await accept(alice.cookie, invitation.token)).status).toBe(200);
    await db().workflow.create({ data: { workspaceId: alice.workspaceId, name: "Alice's own flow", graph: { version: 1, nodes: [], edges: [] } } });
    await db().workflow.create({ data: { workspaceId: owner.workspaceId, name: "The team's flow", graph: { version: 1, nodes: [], edges: [] } } });

    const names = async (cookie: string) => ((await (await workflowsRoute.GET(routeRequest("GET", "/api/workflows", cookie))).json()) as { workflows: { name: string }[] }).workflows.map((w) => w.name);
    const switchTo = async (workspaceId: string) => {
      const response = await switchRoute.POST(routeRequest("POST", "/api/workspaces/switch", alice.cookie, { workspaceId }));
      expect(response.status).toBe(200);
      const cookie = response.headers.get("set-cookie")!;
      expect(cookie).toMatch(/HttpOnly; SameSite=Lax/);
      return `${alice.cookie}; ${cookie.split(";")[0]}`;
    };

    const team = await switchTo(owner.workspaceId);
    expect(await names(team)).toContain("The team's flow");
    expect(await names(team)).not.toContain("Alice's own flow");
    const own = await switchTo(alice.workspaceId);
    expect(await names(own)).toContain("Alice's own flow");
    expect(await names(own)).not.toContain("The team's flow");

    // A workspace she does not belong to is a 404, and a forged cookie shows nothing of it.
    const stranger = await person("Other Team");
    expect((await switchRoute.POST(routeRequest("POST", "/api/workspaces/switch", alice.cookie, { workspaceId: stranger.workspaceId }))).status).toBe(404);
    await db().workflow.create({ data: { workspaceId: stranger.workspaceId, name: "Not Alice's", graph: { version: 1, nodes: [], edges: [] } } });
    expect(await names(inWorkspace(alice, stranger.workspaceId))).not.toContain("Not Alice's");
  });
});
