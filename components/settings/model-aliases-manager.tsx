"use client";

import { ArrowDown, ArrowUp, Pencil, Plus, Shuffle, Trash2, X } from "lucide-react";
import { useState, type FormEvent } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { ModelTarget } from "@/lib/models/model-ref";
import { CreateModelAliasSchema, type ModelAliasView, type ProviderView } from "@/lib/providers/schema";
import { ApiError, request } from "./api";

/**
 * Settings → Models → Aliases: names like `fast` or `smart` that nodes use instead of a model,
 * each an ordered list of models; on rate limits, provider failures and timeouts the next is tried.
 */

const aliasPath = (id: string) => `/api/model-aliases/${encodeURIComponent(id)}`;

function AliasDialog({
  alias,
  providers,
  onClose,
  onSaved,
}: {
  alias?: ModelAliasView;
  providers: ProviderView[];
  onClose: () => void;
  onSaved: (alias: ModelAliasView) => void;
}) {
  const first = providers[0];
  const [name, setName] = useState(alias?.name ?? "");
  const [description, setDescription] = useState(alias?.description ?? "");
  const [targets, setTargets] = useState<ModelTarget[]>(alias?.targets ?? (first ? [{ providerId: first.id, model: first.models[0] ?? "" }] : []));
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const update = (index: number, patch: Partial<ModelTarget>) => setTargets((list) => list.map((t, i) => (i === index ? { ...t, ...patch } : t)));
  const move = (index: number, by: -1 | 1) =>
    setTargets((list) => {
      const next = [...list];
      const [item] = next.splice(index, 1);
      if (item) next.splice(index + by, 0, item);
      return next;
    });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const input = { name: name.trim(), description, targets };
    const checked = CreateModelAliasSchema.safeParse(input);
    if (!checked.success) return setError(checked.error.issues.map((i) => i.message).join(" "));
    setPending(true);
    try {
      const saved = alias
        ? await request<ModelAliasView>(aliasPath(alias.id), { method: "PATCH", body: JSON.stringify(input) })
        : await request<ModelAliasView>("/api/model-aliases", { method: "POST", body: JSON.stringify(input) });
      onSaved(saved);
      onClose();
    } catch (failure) {
      const issues = failure instanceof ApiError && failure.issues.length ? ` ${failure.issues.map((i) => `${i.path}: ${i.message}`).join(" ")}` : "";
      setError(`${failure instanceof Error ? failure.message : "Could not save the alias."}${issues}`);
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="max-h-[90vh] max-w-xl overflow-y-auto">
        <form onSubmit={submit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>{alias ? `Edit alias ${alias.name}` : "Add a model alias"}</DialogTitle>
            <DialogDescription>Nodes using the alias call the first model; when it is rate limited, failing or too slow, the next one answers.</DialogDescription>
          </DialogHeader>
          <div className="space-y-1.5">
            <Label htmlFor="alias-name">Name</Label>
            <Input id="alias-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="fast" maxLength={40} className="font-mono" />
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="alias-description">Description (optional)</Label>
            <Input id="alias-description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={200} placeholder="Cheap and quick" />
          </div>
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium">Models, in order</legend>
            {targets.map((target, index) => {
              const provider = providers.find((p) => p.id === target.providerId);
              return (
                <div key={index} className="flex items-center gap-1.5" data-testid="alias-target">
                  <span className="w-5 text-right text-xs text-muted-foreground">{index + 1}.</span>
                  <select
                    aria-label={`Provider ${index + 1}`}
                    className="h-8 min-w-0 flex-1 rounded-md border bg-background px-2 text-sm"
                    value={target.providerId}
                    onChange={(e) => {
                      const next = providers.find((p) => p.id === e.target.value);
                      update(index, { providerId: e.target.value, model: next?.models[0] ?? "" });
                    }}
                  >
                    {!provider ? <option value={target.providerId}>(deleted provider)</option> : null}
                    {providers.map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name}
                      </option>
                    ))}
                  </select>
                  <select
                    aria-label={`Model ${index + 1}`}
                    className="h-8 min-w-0 flex-1 rounded-md border bg-background px-2 font-mono text-sm"
                    value={target.model}
                    onChange={(e) => update(index, { model: e.target.value })}
                  >
                    {provider && !provider.models.includes(target.model) ? <option value={target.model}>{target.model || "—"}</option> : null}
                    {(provider?.models ?? []).map((m) => (
                      <option key={m} value={m}>
                        {m}
                      </option>
                    ))}
                  </select>
                  <Button type="button" variant="ghost" size="icon-sm" aria-label="Move up" disabled={index === 0} onClick={() => move(index, -1)}>
                    <ArrowUp />
                  </Button>
                  <Button type="button" variant="ghost" size="icon-sm" aria-label="Move down" disabled={index === targets.length - 1} onClick={() => move(index, 1)}>
                    <ArrowDown />
                  </Button>
                  <Button type="button" variant="ghost" size="icon-sm" aria-label="Remove" onClick={() => setTargets((list) => list.filter((_, i) => i !== index))}>
                    <X />
                  </Button>
                </div>
              );
            })}
            <Button
              type="button"
              variant="outline"
              size="sm"
              disabled={!first || targets.length >= 10}
              onClick={() => first && setTargets((list) => [...list, { providerId: first.id, model: first.models[0] ?? "" }])}
            >
              <Plus /> Add a fallback model
            </Button>
          </fieldset>
          {error ? (
            <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
              {error}
            </p>
          ) : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={onClose} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? "Saving…" : alias ? "Save changes" : "Add alias"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function ModelAliasesManager({ initialAliases, providers, canEdit }: { initialAliases: ModelAliasView[]; providers: ProviderView[]; canEdit: boolean }) {
  const [aliases, setAliases] = useState(initialAliases);
  const [editing, setEditing] = useState<{ alias?: ModelAliasView } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const label = (t: ModelTarget) => `${t.model} (${providers.find((p) => p.id === t.providerId)?.name ?? "deleted provider"})`;

  function saved(alias: ModelAliasView) {
    setAliases((list) => [...list.filter((a) => a.id !== alias.id), alias].sort((a, b) => a.name.localeCompare(b.name)));
  }

  async function remove(alias: ModelAliasView) {
    setError(null);
    try {
      await request<void>(aliasPath(alias.id), { method: "DELETE" });
      setAliases((list) => list.filter((a) => a.id !== alias.id));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not delete the alias.");
    }
  }

  return (
    <Card data-testid="model-aliases">
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-3">
        <div className="space-y-1.5">
          <CardTitle>Aliases</CardTitle>
          <CardDescription>Names nodes can use instead of a model, with fallback to the next model on rate limits, failures and timeouts.</CardDescription>
        </div>
        {canEdit ? (
          <Button size="sm" onClick={() => setEditing({})} disabled={providers.length === 0}>
            <Plus /> Add alias
          </Button>
        ) : null}
      </CardHeader>
      <CardContent className="space-y-2">
        {aliases.length === 0 ? (
          <EmptyState icon={<Shuffle />} title="No aliases yet" description={providers.length === 0 ? "Add a provider first." : "For example fast → a small model, then a second provider's."} />
        ) : (
          <ul className="divide-y">
            {aliases.map((alias) => (
              <li key={alias.id} className="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="alias-row">
                <div className="min-w-0 space-y-1">
                  <p className="flex items-center gap-2 font-mono text-sm font-medium">
                    {alias.name}
                    {alias.description ? <span className="font-sans text-xs font-normal text-muted-foreground">{alias.description}</span> : null}
                  </p>
                  <div className="flex flex-wrap items-center gap-1 text-xs">
                    {alias.targets.map((t, i) => (
                      <Badge key={`${t.providerId}:${t.model}:${i}`} tone="grey" className="font-mono">
                        {i + 1}. {label(t)}
                      </Badge>
                    ))}
                  </div>
                </div>
                {canEdit ? (
                  <div className="flex items-center gap-1">
                    <Button variant="ghost" size="icon-sm" aria-label={`Edit alias ${alias.name}`} onClick={() => setEditing({ alias })}>
                      <Pencil />
                    </Button>
                    <Button variant="ghost" size="icon-sm" aria-label={`Delete alias ${alias.name}`} className="text-muted-foreground hover:text-destructive" onClick={() => void remove(alias)}>
                      <Trash2 />
                    </Button>
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        {error ? (
          <p role="alert" className="text-sm text-destructive">
            {error}
          </p>
        ) : null}
      </CardContent>
      {editing ? <AliasDialog alias={editing.alias} providers={providers} onClose={() => setEditing(null)} onSaved={saved} /> : null}
    </Card>
  );
}
