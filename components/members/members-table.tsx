"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { hasRole, type Role } from "@/lib/auth/member";
import { changeRoleRequest, leaveRequest, removeMemberRequest, type MemberRow } from "./api";
import { RoleSelect } from "./role-select";

interface Viewer {
  userId: string;
  role: Role;
  workspaceId: string;
  /** member.manage: change roles and remove, up to their own role. */
  canManage: boolean;
}

/** Members with their roles; managers change and remove (never above their own role); anyone leaves. */
export function MembersTable({ viewer, members, onChange }: { viewer: Viewer; members: MemberRow[]; onChange: (rows: MemberRow[]) => void }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ kind: "remove"; row: MemberRow } | { kind: "leave" } | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(work: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Something went wrong.");
    } finally {
      setBusy(false);
    }
  }

  const changeRole = (row: MemberRow, role: Role) =>
    run(async () => {
      const { member } = await changeRoleRequest(row.id, role);
      onChange(members.map((m) => (m.id === row.id ? member : m)));
      // Your own role changed: the rest of the page (and the sidebar) follow it.
      if (row.userId === viewer.userId) router.refresh();
    });

  const confirmed = () =>
    run(async () => {
      if (!confirm) return;
      if (confirm.kind === "leave") {
        await leaveRequest(viewer.workspaceId);
        router.replace("/workflows");
        router.refresh();
      } else {
        await removeMemberRequest(confirm.row.id);
        onChange(members.filter((m) => m.id !== confirm.row.id));
      }
      setConfirm(null);
    });

  return (
    <div className="space-y-2">
      {error && !confirm ? (
        <p role="alert" className="text-sm text-red-700" data-testid="members-error">
          {error}
        </p>
      ) : null}
      <Table data-testid="members-table">
        <TableHeader>
          <TableRow>
            <TableHead>Name</TableHead>
            <TableHead>Email</TableHead>
            <TableHead>Role</TableHead>
            <TableHead>Joined</TableHead>
            <TableHead className="text-right">Actions</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {members.map((row) => {
            const you = row.userId === viewer.userId;
            const manageable = viewer.canManage && hasRole(viewer.role, row.role);
            return (
              <TableRow key={row.id} data-testid="member-row" data-email={row.email}>
                <TableCell className="font-medium">
                  {row.name} {you ? <Badge tone="muted">you</Badge> : null}
                </TableCell>
                <TableCell className="text-sm">{row.email}</TableCell>
                <TableCell>
                  {manageable ? (
                    <RoleSelect actor={viewer.role} value={row.role} disabled={busy} onChange={(role) => void changeRole(row, role)} label={`Role of ${row.email}`} testId="member-role" />
                  ) : (
                    <span className="text-sm capitalize">{row.role}</span>
                  )}
                </TableCell>
                <TableCell className="text-xs text-muted-foreground">{new Date(row.joinedAt).toLocaleDateString()}</TableCell>
                <TableCell className="text-right">
                  {you ? (
                    <Button size="sm" variant="outline" onClick={() => setConfirm({ kind: "leave" })} data-testid="leave-workspace">
                      Leave
                    </Button>
                  ) : manageable ? (
                    <Button size="sm" variant="outline" onClick={() => setConfirm({ kind: "remove", row })} aria-label={`Remove ${row.email}`}>
                      Remove
                    </Button>
                  ) : null}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <Dialog open={confirm !== null} onOpenChange={(open) => !open && !busy && setConfirm(null)}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>{confirm?.kind === "leave" ? "Leave this workspace?" : `Remove ${confirm?.kind === "remove" ? confirm.row.email : ""}?`}</DialogTitle>
            <DialogDescription>
              {confirm?.kind === "leave"
                ? "You lose access to its workflows, runs and settings until someone invites you again. API keys you created here stop working."
                : "They lose access at once. API keys they created in this workspace stop working."}
            </DialogDescription>
          </DialogHeader>
          {error ? (
            <p role="alert" className="text-sm text-red-700">
              {error}
            </p>
          ) : null}
          <DialogFooter>
            <Button variant="ghost" onClick={() => setConfirm(null)}>
              Cancel
            </Button>
            <Button variant="destructive" disabled={busy} onClick={() => void confirmed()} data-testid="confirm-member-action">
              {confirm?.kind === "leave" ? "Leave workspace" : "Remove member"}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}
