"use client";

import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { hasRole, type Role } from "@/lib/auth/member";
import { regenerateRequest, revokeRequest, type InvitationRow, type Issued } from "./api";
import { IssuedLink } from "./copy-link";

/** Pending (and expired) invitations: regenerate the link (it cannot be shown again) or revoke. */
export function InvitationsTable({ actor, invitations, onChange }: { actor: Role; invitations: InvitationRow[]; onChange: (rows: InvitationRow[]) => void }) {
  const [issued, setIssued] = useState<Issued | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function act(row: InvitationRow, work: () => Promise<void>) {
    setBusy(row.id);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Something went wrong.");
    } finally {
      setBusy(null);
    }
  }

  const regenerate = (row: InvitationRow) =>
    act(row, async () => {
      const result = await regenerateRequest(row.id);
      onChange(invitations.map((i) => (i.id === row.id ? result.invitation : i)));
      setIssued(result);
    });
  const revoke = (row: InvitationRow) =>
    act(row, async () => {
      await revokeRequest(row.id);
      onChange(invitations.filter((i) => i.id !== row.id));
    });

  if (invitations.length === 0) return <p className="text-sm text-muted-foreground" data-testid="no-invitations">No pending invitations.</p>;
  return (
    <div className="space-y-2">
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
      <Table data-testid="invitations-table">
        <TableHeader>
          <TableRow>
            <TableHead>Email</TableHead>
            <TableHead>Role</TableHead>
            <TableHead>Invited by</TableHead>
            <TableHead>Expires</TableHead>
            <TableHead className="text-right">Actions</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {invitations.map((row) => (
            <TableRow key={row.id} data-testid="invitation-row" data-email={row.email}>
              <TableCell className="font-medium">{row.email}</TableCell>
              <TableCell className="capitalize">{row.role}</TableCell>
              <TableCell className="text-xs text-muted-foreground">{row.invitedBy ?? "—"}</TableCell>
              <TableCell className="text-xs text-muted-foreground">
                {row.status === "expired" ? <Badge tone="amber">Expired</Badge> : new Date(row.expiresAt).toLocaleString()}
              </TableCell>
              <TableCell className="space-x-2 text-right">
                {hasRole(actor, row.role) ? (
                  <>
                    <Button size="sm" variant="outline" disabled={busy === row.id} onClick={() => void regenerate(row)} aria-label={`New link for ${row.email}`}>
                      New link
                    </Button>
                    <Button size="sm" variant="outline" disabled={busy === row.id} onClick={() => void revoke(row)} aria-label={`Revoke invitation for ${row.email}`}>
                      Revoke
                    </Button>
                  </>
                ) : null}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Dialog open={issued !== null} onOpenChange={(open) => !open && setIssued(null)}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>New invitation link</DialogTitle>
            <DialogDescription>The previous link no longer works.</DialogDescription>
          </DialogHeader>
          {issued ? <IssuedLink issued={issued} /> : null}
          <DialogFooter>
            <Button onClick={() => setIssued(null)}>Done</Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}
