"use client";

import { KeyRound, Plus } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { request } from "./api";
import { HostsCell, PolicyFields, UsedByCell, parseHostsText, type SecretRole, type SecretUseRow } from "./secret-policy";

/** A secret as the browser sees it: never the value. Dates are ISO strings. */
export interface SecretRow {
  id: string;
  name: string;
  description: string;
  hint: string;
  keyId: string;
  /** Empty: stored before host restrictions, locked until set. */
  allowedHosts: string[];
  minRole: SecretRole | null;
  createdById: string | null;
  usedBy: SecretUseRow[];
  createdAt: string;
  updatedAt: string;
}

const when = (iso: string) => new Date(iso).toLocaleString();
const masked = (hint: string) => (hint ? `••••${hint}` : "••••");

type Editing = { mode: "create" } | { mode: "rotate"; secret: SecretRow };

interface ManagerProps {
  initialSecrets: SecretRow[];
  canEdit: boolean;
  canDelete: boolean;
  /** The signed-in member: the creator of a secret (or an admin) may change its hosts and role. */
  userId: string;
  isAdmin: boolean;
}

/** Settings → Secrets: create (value write-only), edit (rotate, hosts, role), delete; the list is masked and shows where each secret is used. */
export function SecretsManager({ initialSecrets, canEdit, canDelete, userId, isAdmin }: ManagerProps) {
  const [secrets, setSecrets] = useState(initialSecrets);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<SecretRow | null>(null);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [value, setValue] = useState("");
  const [hostsText, setHostsText] = useState("");
  const [minRole, setMinRole] = useState<SecretRole | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function open(next: Editing) {
    setName(next.mode === "rotate" ? next.secret.name : "");
    setDescription(next.mode === "rotate" ? next.secret.description : "");
    setValue("");
    setHostsText(next.mode === "rotate" ? next.secret.allowedHosts.join("\n") : "");
    setMinRole(next.mode === "rotate" ? next.secret.minRole : null);
    setError(null);
    setEditing(next);
  }

  /** Runs a request with the busy flag on and its failure shown in the open dialog. */
  async function attempt(work: () => Promise<void>, fallback: string) {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : fallback);
    } finally {
      setBusy(false);
    }
  }

  const save = () =>
    attempt(async () => {
      if (!editing) return;
      const policy = mayChangePolicy(editing) ? policyBody() : {};
      if (policy === null) return;
      if (editing.mode === "create") {
        const created = await request<SecretRow>("/api/secrets", { method: "POST", body: JSON.stringify({ name, description, value, ...policy }) });
        setSecrets((list) => [...list, created].sort((a, b) => a.name.localeCompare(b.name)));
      } else {
        const body = { description, ...(value ? { value } : {}), ...policy };
        const updated = await request<SecretRow>(`/api/secrets/${encodeURIComponent(editing.secret.id)}`, { method: "PATCH", body: JSON.stringify(body) });
        setSecrets((list) => list.map((s) => (s.id === updated.id ? updated : s)));
      }
      // The value leaves the browser's memory with the dialog.
      setValue("");
      setEditing(null);
    }, "Could not save the secret.");

  /** The creator and admins set hosts and role; everyone else with the developer role only rotates. */
  function mayChangePolicy(target: Editing): boolean {
    return target.mode === "create" || isAdmin || target.secret.createdById === userId;
  }

  /** The hosts and role to send, or null (with the problem shown) when the hosts do not parse. */
  function policyBody(): { allowedHosts: string[]; minRole: SecretRole | null } | null {
    const parsed = parseHostsText(hostsText);
    if ("problem" in parsed) {
      setError(parsed.problem);
      return null;
    }
    return { allowedHosts: parsed.hosts, minRole };
  }

  const remove = () =>
    attempt(async () => {
      if (!deleting) return;
      await request<void>(`/api/secrets/${encodeURIComponent(deleting.id)}`, { method: "DELETE" });
      setSecrets((list) => list.filter((s) => s.id !== deleting.id));
      setDeleting(null);
    }, "Could not delete the secret.");

  return (
    <div className="space-y-4">
      {canEdit ? (
        <div className="flex justify-end">
          <Button onClick={() => open({ mode: "create" })} data-testid="create-secret">
            <Plus /> New secret
          </Button>
        </div>
      ) : null}

      {secrets.length === 0 ? (
        <EmptyState
          icon={<KeyRound />}
          title="No secrets yet"
          description="Store API keys and tokens here, then use them as {{ secrets.NAME }} in HTTP request headers or as the auth of a tool."
        />
      ) : (
        <Table data-testid="secrets-table">
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>Value</TableHead>
              <TableHead>Allowed hosts</TableHead>
              <TableHead>Used by</TableHead>
              <TableHead>Description</TableHead>
              <TableHead>Updated</TableHead>
              <TableHead className="text-right">Actions</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {secrets.map((secret) => (
              <TableRow key={secret.id} data-testid="secret-row">
                <TableCell>
                  <code className="text-xs font-medium">{secret.name}</code>
                </TableCell>
                <TableCell>
                  <code className="text-xs text-muted-foreground">{masked(secret.hint)}</code>{" "}
                  <Badge tone="muted" title="Encryption key id">
                    {secret.keyId}
                  </Badge>
                </TableCell>
                <TableCell>
                  <HostsCell hosts={secret.allowedHosts} minRole={secret.minRole} />
                </TableCell>
                <TableCell>
                  <UsedByCell uses={secret.usedBy} />
                </TableCell>
                <TableCell className="max-w-xs truncate text-sm text-muted-foreground">{secret.description}</TableCell>
                <TableCell className="text-xs text-muted-foreground" title={`Created ${when(secret.createdAt)}`}>
                  {when(secret.updatedAt)}
                </TableCell>
                <TableCell className="space-x-2 text-right">
                  {canEdit ? (
                    <Button size="sm" variant="outline" onClick={() => open({ mode: "rotate", secret })} aria-label={`Edit ${secret.name}`}>
                      Edit
                    </Button>
                  ) : null}
                  {canDelete ? (
                    <Button size="sm" variant="outline" onClick={() => setDeleting(secret)} aria-label={`Delete ${secret.name}`}>
                      Delete
                    </Button>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}

      <Dialog open={editing !== null} onOpenChange={(next) => !next && !busy && setEditing(null)}>
        <DialogContent>
          <form
            className="space-y-4"
            onSubmit={(event) => {
              event.preventDefault();
              void save();
            }}
          >
            <DialogHeader>
              <DialogTitle>{editing?.mode === "rotate" ? `Edit ${editing.secret.name}` : "New secret"}</DialogTitle>
              <DialogDescription>The value is encrypted and can never be shown again, only replaced.</DialogDescription>
            </DialogHeader>
            <div className="space-y-1.5">
              <Label htmlFor="secret-name">Name</Label>
              <Input
                id="secret-name"
                value={name}
                disabled={editing?.mode === "rotate"}
                maxLength={64}
                placeholder="e.g. STRIPE_KEY"
                className="font-mono"
                onChange={(e) => setName(e.target.value)}
              />
              <p className="text-xs text-muted-foreground">Letters, digits and _. Used as {"{{ secrets." + (name || "NAME") + " }}"}.</p>
            </div>
            <div className="space-y-1.5">
              <Label htmlFor="secret-value">{editing?.mode === "rotate" ? "New value (leave empty to keep)" : "Value"}</Label>
              <Input id="secret-value" type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
            </div>
            <div className="space-y-1.5">
              <Label htmlFor="secret-description">Description</Label>
              <Input id="secret-description" value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />
            </div>
            <PolicyFields hostsText={hostsText} onHostsText={setHostsText} minRole={minRole} onMinRole={setMinRole} disabled={!editing || !mayChangePolicy(editing)} />
            {error ? <p className="text-sm text-red-700">{error}</p> : null}
            <DialogFooter>
              <Button type="button" variant="ghost" onClick={() => setEditing(null)}>
                Cancel
              </Button>
              <Button type="submit" disabled={busy || (editing?.mode === "create" && (!name.trim() || !value || !hostsText.trim()))}>
                {editing?.mode === "rotate" ? "Save" : "Create secret"}
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>

      <Dialog open={deleting !== null} onOpenChange={(next) => !next && !busy && setDeleting(null)}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Delete {deleting?.name}?</DialogTitle>
            <DialogDescription>Tools and HTTP nodes that use it will fail with “secret not found”. This cannot be undone.</DialogDescription>
          </DialogHeader>
          {error ? <p className="text-sm text-red-700">{error}</p> : null}
          <DialogFooter>
            <Button variant="ghost" onClick={() => setDeleting(null)}>
              Cancel
            </Button>
            <Button variant="destructive" onClick={() => void remove()} disabled={busy}>
              Delete secret
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}
