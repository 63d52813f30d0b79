"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { PROVIDER_PRESET_IDS, PROVIDER_PRESETS, type ProviderPresetId, isProviderPresetId } from "@/lib/models/provider-kinds";
import { CreateProviderSchema, type ProviderView, UpdateProviderSchema } from "@/lib/providers/schema";
import { ApiError, createProviderRequest, type FieldIssue, updateProviderRequest } from "./api";
import { draftFor, draftsToInfo, type ModelInfoDraft, ModelInfoTable } from "./model-info-table";
import { ModelTagsInput } from "./model-tags-input";
import { draftsToLimits, limitDrafts, type LimitDrafts, ProviderLimitsFields } from "./provider-limits-fields";

type Issues = Partial<Record<"name" | "preset" | "baseUrl" | "apiKey" | "models" | "modelInfo" | "limits" | "form", string>>;

function toIssues(list: FieldIssue[] | readonly { path: PropertyKey[]; message: string }[]): Issues {
  const out: Issues = {};
  for (const issue of list) {
    const path = Array.isArray(issue.path) ? String(issue.path[0] ?? "form") : String(issue.path).split(".")[0] || "form";
    const key = (["name", "preset", "baseUrl", "apiKey", "models", "modelInfo", "limits"].includes(path) ? path : "form") as keyof Issues;
    const where = key === "modelInfo" ? `${(Array.isArray(issue.path) ? issue.path.slice(1) : String(issue.path).split(".").slice(1)).join(" ")}: ` : "";
    out[key] ??= `${where}${issue.message}`;
  }
  return out;
}

function FieldError({ id, message }: { id: string; message?: string }) {
  return message ? (
    <p id={id} role="alert" className="text-xs text-destructive">
      {message}
    </p>
  ) : null;
}

/**
 * Add or edit a model provider. The preset fills the base URL and suggests models; the API key
 * is write-only: the stored one is shown as ••••abcd and kept unless a new one is typed.
 */
export function ProviderFormDialog({
  open,
  onOpenChange,
  provider,
  onSaved,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The provider being edited; undefined to add a new one. */
  provider?: ProviderView;
  onSaved: (provider: ProviderView) => void;
}) {
  const editing = provider !== undefined;
  const initialPreset: ProviderPresetId = provider && isProviderPresetId(provider.preset) ? provider.preset : "openai";
  const [preset, setPreset] = useState<ProviderPresetId>(initialPreset);
  const [name, setName] = useState(provider?.name ?? PROVIDER_PRESETS[initialPreset].label);
  const [baseUrl, setBaseUrl] = useState(provider?.baseUrl ?? PROVIDER_PRESETS[initialPreset].defaultBaseUrl);
  const [apiKey, setApiKey] = useState("");
  const [removeKey, setRemoveKey] = useState(false);
  const [models, setModels] = useState<string[]>(provider?.models ?? PROVIDER_PRESETS[initialPreset].suggestedModels.slice(0, 1));
  const [drafts, setDrafts] = useState<Record<string, ModelInfoDraft>>({});
  const [limits, setLimits] = useState<LimitDrafts>(limitDrafts(provider?.limits));
  const [issues, setIssues] = useState<Issues>({});
  // Rows for every listed model; a new model starts from the known defaults.
  const rows: Record<string, ModelInfoDraft> = {};
  for (const model of models) rows[model] = drafts[model] ?? draftFor(model, provider?.modelInfo);
  const [pending, setPending] = useState(false);

  const info = PROVIDER_PRESETS[preset];

  function choosePreset(next: string) {
    if (!isProviderPresetId(next)) return;
    const before = PROVIDER_PRESETS[preset];
    const after = PROVIDER_PRESETS[next];
    // Replace only what the previous preset filled in; keep anything the user typed.
    if (!baseUrl.trim() || baseUrl === before.defaultBaseUrl) setBaseUrl(after.defaultBaseUrl);
    if (!name.trim() || name === before.label) setName(after.label);
    const autoModels = before.suggestedModels.slice(0, 1);
    if (models.length === 0 || (models.length === autoModels.length && models.every((m, i) => m === autoModels[i]))) {
      setModels(after.suggestedModels.slice(0, 1));
    }
    setPreset(next);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setIssues({});
    const typedKey = apiKey.trim();
    let saved: ProviderView;
    setPending(true);
    try {
      if (editing) {
        const input = { name, preset, baseUrl, models, modelInfo: draftsToInfo(models, rows), limits: draftsToLimits(limits), apiKey: removeKey ? null : typedKey || undefined };
        const checked = UpdateProviderSchema.safeParse(input);
        if (!checked.success) return setIssues(toIssues(checked.error.issues));
        if (info.apiKeyRequired && (removeKey || (!provider.hasApiKey && !typedKey))) {
          return setIssues({ apiKey: `${info.label} needs an API key.` });
        }
        saved = await updateProviderRequest(provider.id, input);
      } else {
        const input = { name, preset, baseUrl, models, modelInfo: draftsToInfo(models, rows), limits: draftsToLimits(limits), apiKey: typedKey || undefined };
        const checked = CreateProviderSchema.safeParse(input);
        if (!checked.success) return setIssues(toIssues(checked.error.issues));
        saved = await createProviderRequest(input);
      }
      setApiKey("");
      setRemoveKey(false);
      onSaved(saved);
      onOpenChange(false);
    } catch (failure) {
      if (failure instanceof ApiError && failure.issues.length) setIssues(toIssues(failure.issues));
      else setIssues({ form: failure instanceof Error ? failure.message : "Could not save the provider." });
    } finally {
      setPending(false);
    }
  }

  const keyPlaceholder = provider?.hasApiKey ? `••••${provider.apiKeyHint ?? ""}` : info.apiKeyRequired ? "sk-…" : "Not needed for most local servers";

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90vh] max-w-3xl overflow-y-auto">
        <form onSubmit={submit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>{editing ? `Edit ${provider.name}` : "Add a model provider"}</DialogTitle>
            <DialogDescription>OpenAI-compatible endpoints, Anthropic or a native Ollama server. Keys are encrypted at rest and never shown again.</DialogDescription>
          </DialogHeader>

          <div className="space-y-1.5">
            <Label htmlFor="provider-preset">Preset</Label>
            <Select value={preset} onValueChange={choosePreset}>
              <SelectTrigger id="provider-preset" aria-label="Preset">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {PROVIDER_PRESET_IDS.map((id) => (
                  <SelectItem key={id} value={id}>
                    {PROVIDER_PRESETS[id].label}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
            <p className="text-xs text-muted-foreground">{info.hint}</p>
          </div>

          <div className="space-y-1.5">
            <Label htmlFor="provider-name">Name</Label>
            <Input id="provider-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={80} aria-invalid={!!issues.name || undefined} aria-describedby="provider-name-error" />
            <FieldError id="provider-name-error" message={issues.name} />
          </div>

          <div className="space-y-1.5">
            <Label htmlFor="provider-base-url">Base URL</Label>
            <Input
              id="provider-base-url"
              value={baseUrl}
              onChange={(e) => setBaseUrl(e.target.value)}
              placeholder="https://…/v1"
              spellCheck={false}
              className="font-mono"
              aria-invalid={!!issues.baseUrl || undefined}
              aria-describedby="provider-base-url-error"
            />
            <FieldError id="provider-base-url-error" message={issues.baseUrl} />
          </div>

          <div className="space-y-1.5">
            <Label htmlFor="provider-api-key">API key{info.apiKeyRequired ? "" : " (optional)"}</Label>
            <Input
              id="provider-api-key"
              type="password"
              autoComplete="new-password"
              spellCheck={false}
              value={apiKey}
              onChange={(e) => setApiKey(e.target.value)}
              placeholder={keyPlaceholder}
              disabled={removeKey}
              className="font-mono"
              aria-invalid={!!issues.apiKey || undefined}
              aria-describedby="provider-api-key-help provider-api-key-error"
            />
            <p id="provider-api-key-help" className="text-xs text-muted-foreground">
              {provider?.hasApiKey ? "A key is stored. Leave this empty to keep it, or type a new one to replace it." : "Stored encrypted; it is never sent back to the browser."}
            </p>
            {provider?.hasApiKey ? (
              <label className="flex items-center gap-2 text-xs text-muted-foreground">
                <input type="checkbox" checked={removeKey} onChange={(e) => setRemoveKey(e.target.checked)} />
                Remove the stored key
              </label>
            ) : null}
            <FieldError id="provider-api-key-error" message={issues.apiKey} />
          </div>

          <div className="space-y-1.5">
            <Label htmlFor="provider-models">Models</Label>
            <ModelTagsInput id="provider-models" value={models} onChange={setModels} suggestions={info.suggestedModels} invalid={!!issues.models} />
            <FieldError id="provider-models-error" message={issues.models} />
          </div>

          <ModelInfoTable models={models} drafts={rows} onChange={(model, draft) => setDrafts((all) => ({ ...all, [model]: draft }))} error={issues.modelInfo} />

          <ProviderLimitsFields drafts={limits} onChange={setLimits} error={issues.limits} />

          {issues.form ? (
            <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
              {issues.form}
            </p>
          ) : null}

          <DialogFooter>
            <Button variant="outline" onClick={() => onOpenChange(false)} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? "Saving…" : editing ? "Save changes" : "Add provider"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
