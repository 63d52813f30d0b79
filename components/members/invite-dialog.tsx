"use client";

import { UserPlus } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { Role } from "@/lib/auth/member";
import { inviteRequest, type Issued } from "./api";
import { IssuedLink } from "./copy-link";
import { RoleSelect } from "./role-select";

/** "Invite people": email + role, then the link to copy (and whether it was mailed). */
export function InviteDialog({ actor, onInvited }: { actor: Role; onInvited: (issued: Issued) => void }) {
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const [issued, setIssued] = useState<Issued | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function start() {
    setEmail("");
    setRole("editor");
    setIssued(null);
    setError(null);
    setOpen(true);
  }

  async function submit() {
    setBusy(true);
    setError(null);
    try {
      const result = await inviteRequest(email, role);
      setIssued(result);
      onInvited(result);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not invite.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Button onClick={start} data-testid="invite-member">
        <UserPlus /> Invite people
      </Button>
      <Dialog open={open} onOpenChange={(next) => !busy && setOpen(next)}>
        <DialogContent>
          {issued ? (
            <>
              <DialogHeader>
                <DialogTitle>Invitation created</DialogTitle>
                <DialogDescription>Send this link to {issued.invitation.email}. They join as {issued.invitation.role} when they accept it.</DialogDescription>
              </DialogHeader>
              <IssuedLink issued={issued} />
              <DialogFooter>
                <Button onClick={() => setOpen(false)} data-testid="invite-done">
                  Done
                </Button>
              </DialogFooter>
            </>
          ) : (
            <form
              className="space-y-4"
              onSubmit={(event) => {
                event.preventDefault();
                void submit();
              }}
            >
              <DialogHeader>
                <DialogTitle>Invite people</DialogTitle>
                <DialogDescription>They get a link that works for this email address only, for 7 days.</DialogDescription>
              </DialogHeader>
              <div className="space-y-1.5">
                <Label htmlFor="invite-email">Email</Label>
                <Input id="invite-email" type="email" value={email} maxLength={320} required placeholder="name@company.com" onChange={(e) => setEmail(e.target.value)} />
              </div>
              <div className="space-y-1.5">
                <Label>Role</Label>
                <RoleSelect actor={actor} value={role} onChange={setRole} label="Role of the invited person" testId="invite-role" />
              </div>
              {error ? (
                <p role="alert" className="text-sm text-red-700">
                  {error}
                </p>
              ) : null}
              <DialogFooter>
                <Button type="button" variant="ghost" onClick={() => setOpen(false)}>
                  Cancel
                </Button>
                <Button type="submit" disabled={busy || !email.trim()} data-testid="send-invitation">
                  {busy ? "Inviting…" : "Create invitation"}
                </Button>
              </DialogFooter>
            </form>
          )}
        </DialogContent>
      </Dialog>
    </>
  );
}
