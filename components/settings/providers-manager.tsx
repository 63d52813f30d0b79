"use client";

import { KeyRound, Pencil, Plus, Server, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { PROVIDER_PRESETS, isProviderPresetId } from "@/lib/models/provider-kinds";
import type { ModelInfo, ProviderView } from "@/lib/providers/schema";
import { deleteProviderRequest } from "./api";
import { ProviderFormDialog } from "./provider-form-dialog";
import { TestConnection } from "./test-connection";

/** "128k ctx · $0.15/$0.60 per M" for a model badge. */
function modelSummary(info: ModelInfo | undefined): string {
  if (!info) return "";
  const parts: string[] = [];
  if (info.contextWindow) parts.push(`${info.contextWindow >= 1000 ? `${Math.round(info.contextWindow / 1000)}k` : info.contextWindow} ctx`);
  if (info.inputPrice !== undefined || info.outputPrice !== undefined) parts.push(`${info.inputPrice ?? "?"}/${info.outputPrice ?? "?"} ${info.currency} per M`);
  return parts.join(" · ");
}

type Editing = { mode: "add" } | { mode: "edit"; provider: ProviderView } | null;

/** Settings → Models: the workspace's providers, with add/edit/delete/test for developers and above. */
export function ProvidersManager({ initialProviders, canEdit }: { initialProviders: ProviderView[]; canEdit: boolean }) {
  const router = useRouter();
  const [providers, setProviders] = useState(initialProviders);
  const [editing, setEditing] = useState<Editing>(null);
  // Remount the form per open so it starts from the provider's current values.
  const [formKey, setFormKey] = useState(0);
  const [deleting, setDeleting] = useState<ProviderView | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function open(next: Editing) {
    setFormKey((k) => k + 1);
    setEditing(next);
  }

  function saved(view: ProviderView) {
    setProviders((list) => {
      const rest = list.filter((p) => p.id !== view.id);
      return [...rest, view].sort((a, b) => a.name.localeCompare(b.name));
    });
    router.refresh();
  }

  async function remove() {
    if (!deleting) return;
    setBusy(true);
    setDeleteError(null);
    try {
      await deleteProviderRequest(deleting.id);
      setProviders((list) => list.filter((p) => p.id !== deleting.id));
      setDeleting(null);
      router.refresh();
    } catch (failure) {
      setDeleteError(failure instanceof Error ? failure.message : "Could not delete the provider.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-4">
      {canEdit ? (
        <div className="flex justify-end">
          <Button onClick={() => open({ mode: "add" })}>
            <Plus /> Add provider
          </Button>
        </div>
      ) : (
        <p className="text-sm text-muted-foreground">You can see the providers of this workspace; changing them needs the developer role.</p>
      )}

      {providers.length === 0 ? (
        <EmptyState
          icon={<Server />}
          title="No model providers yet"
          description={canEdit ? "Add OpenAI, Anthropic, Doubao, Qwen, DeepSeek, a local vLLM or Ollama — or anything OpenAI-compatible." : "Ask a developer to add one."}
        />
      ) : (
        <ul className="grid gap-4">
          {providers.map((provider) => {
            const presetLabel = isProviderPresetId(provider.preset) ? PROVIDER_PRESETS[provider.preset].label : provider.preset;
            return (
              <li key={provider.id}>
                <Card data-testid="provider-card">
                  <CardHeader className="flex-row flex-wrap items-start justify-between gap-3">
                    <div className="min-w-0 space-y-1.5">
                      <CardTitle className="flex items-center gap-2">
                        {provider.name}
                        <Badge tone="muted">{presetLabel}</Badge>
                      </CardTitle>
                      <CardDescription className="break-all font-mono text-xs">{provider.baseUrl}</CardDescription>
                    </div>
                    {canEdit ? (
                      <div className="flex items-center gap-1">
                        <Button variant="ghost" size="icon-sm" aria-label={`Edit ${provider.name}`} title="Edit" onClick={() => open({ mode: "edit", provider })}>
                          <Pencil />
                        </Button>
                        <Button
                          variant="ghost"
                          size="icon-sm"
                          aria-label={`Delete ${provider.name}`}
                          title="Delete"
                          className="text-muted-foreground hover:text-destructive"
                          onClick={() => {
                            setDeleteError(null);
                            setDeleting(provider);
                          }}
                        >
                          <Trash2 />
                        </Button>
                      </div>
                    ) : null}
                  </CardHeader>
                  <CardContent className="space-y-3">
                    <div className="flex flex-wrap items-center gap-1.5">
                      {provider.models.map((model) => (
                        <Badge key={model} tone="grey" className="font-mono" title={modelSummary(provider.modelInfo[model]) || undefined}>
                          {model}
                          {provider.modelInfo[model] ? <span className="ml-1 font-sans text-muted-foreground">{modelSummary(provider.modelInfo[model])}</span> : null}
                        </Badge>
                      ))}
                    </div>
                    <p className="flex items-center gap-1.5 text-xs text-muted-foreground">
                      <KeyRound className="size-3.5" />
                      {provider.hasApiKey ? <span className="font-mono">••••{provider.apiKeyHint ?? ""}</span> : "No API key"}
                    </p>
                    {canEdit ? <TestConnection providerId={provider.id} models={provider.models} /> : null}
                  </CardContent>
                </Card>
              </li>
            );
          })}
        </ul>
      )}

      {editing ? (
        <ProviderFormDialog
          key={formKey}
          open
          onOpenChange={(next) => {
            if (!next) setEditing(null);
          }}
          provider={editing.mode === "edit" ? editing.provider : undefined}
          onSaved={saved}
        />
      ) : null}

      <Dialog open={deleting !== null} onOpenChange={(next) => !next && setDeleting(null)}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Delete {deleting?.name}?</DialogTitle>
            <DialogDescription>LLM nodes that use this provider will fail until they are pointed at another one. The stored key is destroyed.</DialogDescription>
          </DialogHeader>
          {deleteError ? (
            <p role="alert" className="text-sm text-destructive">
              {deleteError}
            </p>
          ) : null}
          <DialogFooter>
            <Button variant="outline" onClick={() => setDeleting(null)} disabled={busy}>
              Cancel
            </Button>
            <Button variant="destructive" onClick={remove} disabled={busy}>
              {busy ? "Deleting…" : "Delete"}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </div>
  );
}
