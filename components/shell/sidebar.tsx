import { BookOpen, ChartColumn, Cpu, Gauge, History, Inbox, KeyRound, Library, LockKeyhole, Network, ScrollText, Users, Wrench, Workflow } from "lucide-react";
import Link from "next/link";
import type { Member } from "@/lib/auth/member";
import { can } from "@/lib/auth/permissions";
import { NavLink } from "./nav-link";
import { SignOutButton } from "./sign-out-button";
import { WeftLogo } from "./weft-logo";
import { WorkspaceSwitcher, type WorkspaceChoice } from "./workspace-switcher";

/** The studio's left column: product, navigation, workspace and the signed-in user. */
export function Sidebar({
  member,
  workspaces = [],
  inboxCount = 0,
}: {
  member: Pick<Member, "email" | "name" | "workspaceId" | "workspaceName" | "role">;
  /** Every workspace the user belongs to (the switcher shows when there are several). */
  workspaces?: WorkspaceChoice[];
  inboxCount?: number;
}) {
  return (
    <aside className="flex h-screen w-56 shrink-0 flex-col border-r bg-sidebar" aria-label="Sidebar">
      <div className="px-4 py-4">
        <Link href="/workflows" aria-label="Weft home">
          <WeftLogo />
        </Link>
      </div>
      <nav className="flex flex-1 flex-col gap-0.5 px-2" aria-label="Main">
        <NavLink href="/overview">
          <ChartColumn />
          Overview
        </NavLink>
        <NavLink href="/workflows">
          <Workflow />
          Workflows
        </NavLink>
        <NavLink href="/runs">
          <History />
          Runs
        </NavLink>
        <NavLink href="/inbox">
          <Inbox />
          Inbox
          {inboxCount > 0 ? (
            <span className="ml-auto rounded-full bg-amber-100 px-1.5 text-xs font-medium tabular-nums text-amber-800" data-testid="inbox-count" aria-label={`${inboxCount} waiting`}>
              {inboxCount > 99 ? "99+" : inboxCount}
            </span>
          ) : null}
        </NavLink>
        <NavLink href="/tools">
          <Wrench />
          Tools
        </NavLink>
        <NavLink href="/knowledge">
          <Library />
          Knowledge
        </NavLink>
        <p className="mt-4 px-2.5 pb-1 text-xs font-medium uppercase tracking-wide text-muted-foreground">Settings</p>
        <NavLink href="/settings/members">
          <Users />
          Members
        </NavLink>
        <NavLink href="/settings/models">
          <Cpu />
          Models
        </NavLink>
        <NavLink href="/settings/secrets">
          <LockKeyhole />
          Secrets
        </NavLink>
        <NavLink href="/settings/network">
          <Network />
          Network
        </NavLink>
        {can(member.role, "budget.read") ? (
          <NavLink href="/settings/usage">
            <Gauge />
            Usage &amp; limits
          </NavLink>
        ) : null}
        <NavLink href="/settings/api-keys">
          <KeyRound />
          API keys
        </NavLink>
        {can(member.role, "audit.read") ? (
          <NavLink href="/settings/audit">
            <ScrollText />
            Audit log
          </NavLink>
        ) : null}
        <NavLink href="/api-docs">
          <BookOpen />
          API
        </NavLink>
      </nav>
      <div className="space-y-2 border-t px-2 py-3">
        <WorkspaceSwitcher current={{ id: member.workspaceId, name: member.workspaceName, role: member.role }} workspaces={workspaces} />
        <p className="truncate px-2.5 text-xs text-muted-foreground" data-testid="user-email" title={member.email}>
          {member.email}
        </p>
        <SignOutButton />
      </div>
    </aside>
  );
}
