"use client";

import { Check, Copy, KeyRound, Plus } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { API_SCOPES, API_SCOPE_LABELS, type ApiScope } from "@/lib/api-keys/scopes";

/** A key as the browser sees it: never the secret or its hash. Dates are ISO strings. */
export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** Set when the key stopped working on its own (its creator left the workspace), with why. */
  disabledAt: string | null;
  disabledReason: string | null;
}

async function call<T>(url: string, init: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, headers: { "content-type": "application/json", ...init.headers } });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string; issues?: { message: string }[] } };
    throw new Error(body.error?.issues?.[0]?.message ?? body.error?.message ?? `Request failed (${response.status}).`);
  }
  return (response.status === 204 ? undefined : await response.json()) as T;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "Never");

/** Settings → API keys: create (secret shown once), list, revoke. */
export function ApiKeysManager({ initialKeys }: { initialKeys: ApiKeyRow[] }) {
  const [keys, setKeys] = useState(initialKeys);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiScope[]>(["workflows:read", "runs:read", "runs:write"]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<ApiKeyRow | null>(null);

  function openCreate() {
    setName("");
    setScopes(["workflows:read", "runs:read", "runs:write"]);
    setError(null);
    setSecret(null);
    setCopied(false);
    setCreating(true);
  }

  async function create() {
    setBusy(true);
    setError(null);
    try {
      const body = await call<{ key: ApiKeyRow; secret: string }>("/api/api-keys", { method: "POST", body: JSON.stringify({ name, scopes }) });
      setKeys((list) => [body.key, ...list]);
      setSecret(body.secret);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not create the key.");
    } finally {
      setBusy(false);
    }
  }

  async function revoke() {
    if (!revoking) return;
    setBusy(true);
    try {
      await call(`/api/api-keys/${encodeURIComponent(revoking.id)}`, { method: "DELETE" });
      const at = new Date().toISOString();
      setKeys((list) => list.map((k) => (k.id === revoking.id ? { ...k, revokedAt: at } : k)));
      setRevoking(null);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not revoke the key.");
    } finally {
      setBusy(false);
    }
  }

  async function copy() {
    if (!secret) return;
    await navigator.clipboard.writeText(secret).catch(() => undefined);
    setCopied(true);
  }

  return (
    <div className="space-y-4">
      <div className="flex justify-end">
        <Button onClick={openCreate} data-testid="create-api-key">
          <Plus /> Create API key
        </Button>
      </div>

      {keys.length === 0 ? (
        <EmptyState icon={<KeyRound />} title="No API keys yet" description="Create a key to run published workflows from your own code through /api/v1." />
      ) : (
        <Table data-testid="api-keys-table">
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>Key</TableHead>
              <TableHead>Scopes</TableHead>
              <TableHead>Created</TableHead>
              <TableHead>Last used</TableHead>
              <TableHead className="text-right">Actions</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {keys.map((key) => (
              <TableRow key={key.id} data-testid="api-key-row">
                <TableCell className="font-medium">{key.name}</TableCell>
                <TableCell>
                  <code className="text-xs">{key.prefix}…</code>
                </TableCell>
                <TableCell>
                  <div className="flex flex-wrap gap-1">
                    {key.scopes.map((scope) => (
                      <Badge key={scope} tone="blue">
                        {scope}
                      </Badge>
                    ))}
                  </div>
                </TableCell>
                <TableCell className="text-xs text-muted-foreground">{when(key.createdAt)}</TableCell>
                <TableCell className="text-xs text-muted-foreground">{when(key.lastUsedAt)}</TableCell>
                <TableCell className="text-right">
                  {key.revokedAt ? (
                    <Badge tone="muted" title={`Revoked ${when(key.revokedAt)}`}>
                      Revoked
                    </Badge>
                  ) : key.disabledAt ? (
                    <Badge tone="muted" title={`Disabled ${when(key.disabledAt)}: ${key.disabledReason ?? ""}`}>
                      Disabled
                    </Badge>
                  ) : (
                    <Button size="sm" variant="outline" onClick={() => setRevoking(key)} aria-label={`Revoke ${key.name}`}>
                      Revoke
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}

      <Dialog open={creating} onOpenChange={(open) => !busy && setCreating(open)}>
        <DialogContent>
          {secret ? (
            <>
              <DialogHeader>
                <DialogTitle>Copy your new API key</DialogTitle>
                <DialogDescription>This is the only time the full key is shown. Store it somewhere safe; Weft keeps only a hash.</DialogDescription>
              </DialogHeader>
              <div className="flex items-center gap-2">
                <Input readOnly value={secret} aria-label="New API key" data-testid="api-key-secret" className="font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
                <Button variant="outline" onClick={() => void copy()} aria-label="Copy key">
                  {copied ? <Check /> : <Copy />} {copied ? "Copied" : "Copy"}
                </Button>
              </div>
              <DialogFooter>
                <Button onClick={() => setCreating(false)}>Done</Button>
              </DialogFooter>
            </>
          ) : (
            <form
              className="space-y-4"
              onSubmit={(event) => {
                event.preventDefault();
                void create();
              }}
            >
              <DialogHeader>
                <DialogTitle>Create API key</DialogTitle>
                <DialogDescription>Keys act on this workspace's published workflows only.</DialogDescription>
              </DialogHeader>
              <div className="space-y-1.5">
                <Label htmlFor="api-key-name">Name</Label>
                <Input id="api-key-name" value={name} maxLength={120} placeholder="e.g. CRM integration" onChange={(e) => setName(e.target.value)} />
              </div>
              <fieldset className="space-y-2">
                <legend className="text-sm font-medium">Scopes</legend>
                <p className="text-xs text-muted-foreground">The key can do what its scopes allow and your role allows at the time of each call; it is disabled if you leave the workspace.</p>
                {API_SCOPES.map((scope) => (
                  <label key={scope} className="flex items-start gap-2 text-sm">
                    <input
                      type="checkbox"
                      className="mt-0.5"
                      checked={scopes.includes(scope)}
                      onChange={(e) => setScopes((list) => (e.target.checked ? [...list, scope] : list.filter((s) => s !== scope)))}
                    />
                    <span>
                      <code className="text-xs">{scope}</code>
                      <span className="block text-xs text-muted-foreground">{API_SCOPE_LABELS[scope]}</span>
                    </span>
                  </label>
                ))}
              </fieldset>
              {error ? <p className="text-sm text-red-700">{error}</p> : null}
              <DialogFooter>
                <Button type="button" variant="ghost" onClick={() => setCreating(false)}>
                  Cancel
                </Button>
                <Button type="submit" disabled={busy || !name.trim() || scopes.length === 0}>
                  Create key
                </Button>
              </DialogFooter>
            </form>
          )}
        </DialogContent>
      </Dialog>

      <Dialog open={revoking !== null} onOpenChange={(open) => !open && !busy && setRevoking(null)}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Revoke {revoking?.name}?</DialogTitle>
            <DialogDescription>Requests with this key will be refused at once. This cannot be undone.</DialogDescription>
          </DialogHeader>
          {error ? <p className="text-sm text-red-700">{error}</p> : null}
          <DialogFooter>
            <Button variant="ghost" onClick={() => setRevoking(null)}>
              Cancel
            </Button>
            <Button variant="destructive" onClick={() => void revoke()} disabled={busy}>
              Revoke key
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}
