"use client";

import Link from "next/link";
import { RefreshCw } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { Field, NativeSelect } from "@/components/editor/fields";
import { useEditorReadOnly } from "@/components/editor/store-context";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { useProviders } from "@/lib/editor/use-providers";
import { ALIAS_PROVIDER_ID, type ModelRef, type ModelTarget } from "@/lib/models/model-ref";

/**
 * The model choice of every model-calling node panel (LLM, Agent, Classifier, Parameter
 * extractor): a provider and one of its models, or "Model alias" and an alias name
 * (lib/models/model-ref.ts). Labels stay "Provider" and "Model" for tests and screen readers.
 */

export interface AliasOption {
  id: string;
  name: string;
  description: string;
  targets: ModelTarget[];
}

type AliasState = { status: "loading" } | { status: "ready"; aliases: AliasOption[] } | { status: "error"; message: string };

// Shared by every panel of the page, like the provider list.
let cachedAliases: Promise<AliasState> | null = null;

async function fetchAliases(): Promise<AliasState> {
  try {
    const response = await fetch("/api/model-aliases", { headers: { accept: "application/json" } });
    if (!response.ok) return { status: "error", message: `Could not load model aliases (${response.status}).` };
    const body = (await response.json()) as { aliases?: AliasOption[] };
    return { status: "ready", aliases: Array.isArray(body.aliases) ? body.aliases : [] };
  } catch (error) {
    return { status: "error", message: `Could not load model aliases: ${(error as Error).message}` };
  }
}

export function useModelAliases(): AliasState & { reload: () => void } {
  const [state, setState] = useState<AliasState>({ status: "loading" });
  const load = useCallback((force: boolean) => {
    if (force || !cachedAliases) cachedAliases = fetchAliases();
    let live = true;
    void cachedAliases.then((result) => {
      if (!live) return;
      if (result.status === "error") cachedAliases = null;
      setState(result);
    });
    return () => {
      live = false;
    };
  }, []);
  useEffect(() => load(false), [load]);
  return { ...state, reload: () => void load(true) };
}

function ProvidersHint({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="rounded-md border border-amber-200 bg-amber-50 p-2 text-xs text-amber-900" data-testid="providers-hint">
      {message}{" "}
      <Link href="/settings/models" target="_blank" rel="noopener" className="font-medium underline">
        Set up model providers
      </Link>
      {onRetry ? (
        <Button variant="ghost" size="sm" className="ml-1 h-6 px-1.5 text-xs" onClick={onRetry}>
          <RefreshCw aria-hidden /> Retry
        </Button>
      ) : null}
    </div>
  );
}

export interface ModelPickerProps {
  /** Prefix of the element ids (one picker per node panel). */
  idPrefix: string;
  value: ModelRef;
  onChange: (ref: ModelRef) => void;
}

export function ModelPicker({ idPrefix, value, onChange }: ModelPickerProps) {
  const providers = useProviders();
  const aliases = useModelAliases();
  const list = providers.status === "ready" ? providers.providers : [];
  const aliasList = aliases.status === "ready" ? aliases.aliases : [];
  const usingAlias = value.providerId === ALIAS_PROVIDER_ID;
  const provider = usingAlias ? undefined : list.find((p) => p.id === value.providerId);
  const models = provider?.models ?? [];
  const selectedAlias = usingAlias ? aliasList.find((a) => a.name === value.model) : undefined;
  const nameOf = (providerId: string) => list.find((p) => p.id === providerId)?.name ?? "missing provider";
  const providerId = `${idPrefix}-provider`;
  const modelId = `${idPrefix}-model`;

  // A new node (no provider, no model) gets the workspace's first provider and its first model, once.
  const readOnly = useEditorReadOnly();
  const preselected = useRef(false);
  const firstProvider = list[0];
  useEffect(() => {
    if (readOnly || preselected.current || !firstProvider || value.providerId || value.model) return;
    preselected.current = true;
    onChange({ providerId: firstProvider.id, model: firstProvider.models[0] ?? "" });
  }, [readOnly, firstProvider, value.providerId, value.model, onChange]);

  const chooseProvider = (next: string) => {
    if (next === ALIAS_PROVIDER_ID) {
      onChange({ providerId: next, model: aliasList.some((a) => a.name === value.model) ? value.model : (aliasList[0]?.name ?? "") });
      return;
    }
    const chosen = list.find((p) => p.id === next);
    onChange({ providerId: next, model: chosen?.models.includes(value.model) ? value.model : (chosen?.models[0] ?? "") });
  };

  const modelHint = usingAlias
    ? selectedAlias
      ? `Tries in order: ${selectedAlias.targets.map((t) => `${t.model} (${nameOf(t.providerId)})`).join(" → ")}`
      : undefined
    : provider && models.length === 0
      ? "This provider lists no models; type the model name."
      : undefined;

  return (
    <div className="space-y-3">
      {providers.status === "error" ? (
        <ProvidersHint
          message={providers.error.status === 401 ? "Sign in again to load the model providers." : `Could not load model providers: ${providers.error.message}`}
          onRetry={providers.reload}
        />
      ) : providers.status === "ready" && list.length === 0 ? (
        <ProvidersHint message="No model provider is configured yet." onRetry={providers.reload} />
      ) : null}

      <Field id={providerId} label="Provider">
        <NativeSelect id={providerId} value={value.providerId ?? ""} disabled={providers.status === "loading"} onChange={(e) => chooseProvider(e.target.value)}>
          <option value="">{providers.status === "loading" ? "Loading…" : "Choose a provider…"}</option>
          {value.providerId && !usingAlias && !provider ? <option value={value.providerId}>{value.providerId} (unavailable)</option> : null}
          {list.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
          {aliasList.length > 0 || usingAlias ? <option value={ALIAS_PROVIDER_ID}>Model alias (with fallback)</option> : null}
        </NativeSelect>
      </Field>
      {readOnly || list.length === 0 ? null : (
        // A new tab keeps the editor open; the list refreshes when the user comes back (useProviders).
        <Link href="/settings/models" target="_blank" rel="noopener" className="-mt-2 block text-xs text-muted-foreground underline-offset-2 hover:underline" data-testid="add-provider-link">
          Add a provider (opens a new tab; it appears here when you come back)
        </Link>
      )}

      <Field id={modelId} label="Model" hint={modelHint}>
        {provider && models.length === 0 ? (
          <Input id={modelId} value={value.model ?? ""} placeholder="model name" onChange={(e) => onChange({ ...value, model: e.target.value })} />
        ) : (
          <NativeSelect id={modelId} value={value.model ?? ""} disabled={!provider && !usingAlias && !value.model} onChange={(e) => onChange({ ...value, model: e.target.value })}>
            <option value="">{usingAlias ? "Choose an alias…" : provider ? "Choose a model…" : "Choose a provider first"}</option>
            {usingAlias ? (
              <>
                {value.model && !selectedAlias ? <option value={value.model}>{value.model} (unknown alias)</option> : null}
                {aliasList.map((a) => (
                  <option key={a.id} value={a.name}>
                    {a.name}
                    {a.description ? ` — ${a.description}` : ""}
                  </option>
                ))}
              </>
            ) : (
              <>
                {value.model && !models.includes(value.model) ? <option value={value.model}>{value.model}</option> : null}
                {models.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </>
            )}
          </NativeSelect>
        )}
      </Field>
    </div>
  );
}
