"use client";

import { CheckCircle2, Loader2, PlugZap, XCircle } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import type { ProviderTestResult } from "@/lib/providers/schema";
import { testProviderRequest } from "./api";

/** "Test connection": a real minimal call to the provider, with its verdict in its own words. */
export function TestConnection({ providerId, models }: { providerId: string; models: string[] }) {
  const [model, setModel] = useState(models[0] ?? "");
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<ProviderTestResult | { ok: false; message: string; latencyMs?: undefined } | null>(null);

  async function run() {
    setPending(true);
    setResult(null);
    try {
      setResult(await testProviderRequest(providerId, model || undefined));
    } catch (failure) {
      setResult({ ok: false, message: failure instanceof Error ? failure.message : "The test could not run." });
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <Button variant="outline" size="sm" onClick={run} disabled={pending || models.length === 0}>
          {pending ? <Loader2 className="animate-spin" /> : <PlugZap />}
          {pending ? "Testing…" : "Test connection"}
        </Button>
        {models.length > 1 ? (
          <select
            aria-label="Model to test"
            value={model}
            onChange={(e) => setModel(e.target.value)}
            className="h-8 rounded-md border border-input bg-background px-2 font-mono text-xs"
          >
            {models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        ) : null}
      </div>
      {result ? (
        <p
          role="status"
          className={
            result.ok
              ? "flex items-start gap-1.5 rounded-md border border-green-200 bg-green-50 px-3 py-2 text-xs text-green-800"
              : "flex items-start gap-1.5 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-xs text-red-700"
          }
        >
          {result.ok ? <CheckCircle2 className="mt-0.5 size-3.5 shrink-0" /> : <XCircle className="mt-0.5 size-3.5 shrink-0" />}
          <span className="break-words">
            {result.message}
            {!result.ok && result.latencyMs !== undefined ? ` (${result.latencyMs} ms)` : ""}
          </span>
        </p>
      ) : null}
    </div>
  );
}
