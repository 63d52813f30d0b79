import type { ReactNode } from "react";
import { Sidebar } from "@/components/shell/sidebar";
import { requireMember } from "@/lib/auth/session";
import { listUserWorkspaces } from "@/lib/auth/workspaces";
import { countPendingWaits } from "@/lib/runs/waits";

export default async function StudioLayout({ children }: { children: ReactNode }) {
  const member = await requireMember();
  // Open approvals and questions, for the Inbox link (an indexed count; refreshed with the page).
  const [inboxCount, workspaces] = await Promise.all([countPendingWaits(member).catch(() => 0), listUserWorkspaces(member.userId)]);
  return (
    <div className="flex h-screen overflow-hidden">
      <Sidebar member={member} workspaces={workspaces} inboxCount={inboxCount} />
      {/* A definite height so full-bleed pages (the editor canvas) can use h-full. */}
      <main className="relative h-screen min-h-0 min-w-0 flex-1 overflow-auto">{children}</main>
    </div>
  );
}
