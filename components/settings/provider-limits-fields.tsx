"use client";

import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { ProviderLimits } from "@/lib/limits/schema";

/** The three limits as typed (empty = no limit). */
export type LimitDrafts = Record<keyof ProviderLimits, string>;

const FIELDS: { key: keyof ProviderLimits; id: string; label: string; hint: string }[] = [
  { key: "requestsPerMinute", id: "provider-limit-rpm", label: "Requests per minute", hint: "At most this many calls in any minute." },
  { key: "tokensPerMinute", id: "provider-limit-tpm", label: "Tokens per minute", hint: "Prompt tokens are counted before a call, the reported usage after it." },
  { key: "maxConcurrentCalls", id: "provider-limit-concurrent", label: "Concurrent calls", hint: "Calls in progress at once." },
];

export const limitDrafts = (limits: ProviderLimits | undefined): LimitDrafts => ({
  requestsPerMinute: limits?.requestsPerMinute?.toString() ?? "",
  tokensPerMinute: limits?.tokensPerMinute?.toString() ?? "",
  maxConcurrentCalls: limits?.maxConcurrentCalls?.toString() ?? "",
});

/** What the API receives: numbers for filled fields (the schema refuses fractions and zero with a message), nothing for empty ones. */
export function draftsToLimits(drafts: LimitDrafts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { key } of FIELDS) {
    const text = drafts[key].trim();
    if (text) out[key] = Number(text);
  }
  return out;
}

/**
 * Rate limits of a provider, shared by every worker: a run that reaches one waits ("throttled")
 * without holding a worker, and goes on when the provider allows it again.
 */
export function ProviderLimitsFields({ drafts, onChange, error }: { drafts: LimitDrafts; onChange: (drafts: LimitDrafts) => void; error?: string }) {
  return (
    <fieldset className="space-y-2 rounded-md border p-3" data-testid="provider-limits">
      <legend className="px-1 text-sm font-medium">Rate limits</legend>
      <p className="text-xs text-muted-foreground">Shared by all workers. Leave a field empty for no limit. Runs that reach a limit wait and continue; they never fail because of it.</p>
      <div className="grid gap-3 sm:grid-cols-3">
        {FIELDS.map((field) => (
          <div key={field.key} className="space-y-1">
            <Label htmlFor={field.id}>{field.label}</Label>
            <Input
              id={field.id}
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              placeholder="No limit"
              value={drafts[field.key]}
              onChange={(e) => onChange({ ...drafts, [field.key]: e.target.value })}
              aria-invalid={!!error || undefined}
              aria-describedby={`${field.id}-hint provider-limits-error`}
            />
            <p id={`${field.id}-hint`} className="text-xs text-muted-foreground">
              {field.hint}
            </p>
          </div>
        ))}
      </div>
      {error ? (
        <p id="provider-limits-error" role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
