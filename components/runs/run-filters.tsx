"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import type { FormEvent, ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { RunFilterOptions } from "@/lib/runs/run-filter-options";
import { cn } from "@/lib/utils";

/** Triggers whose label is not just the capitalised name. */
const TRIGGER_LABELS: Record<string, string> = { subworkflow: "Sub-workflow", openai: "OpenAI endpoint", mcp: "MCP", api: "API" };

const STATUS_OPTIONS = ["queued", "running", "waiting", "succeeded", "failed", "cancelled"] as const;

const selectClass =
  "h-9 rounded-md border border-input bg-background px-2 text-sm shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring";

const capital = (text: string) => text[0]!.toUpperCase() + text.slice(1);

function Field({ id, label, children, className }: { id: string; label: string; children: ReactNode; className?: string }) {
  return (
    <div className={cn("flex flex-col gap-1", className)}>
      <Label htmlFor={id} className="text-xs text-muted-foreground">
        {label}
      </Label>
      {children}
    </div>
  );
}

/** Seconds in the form, milliseconds in the URL (the API's unit). */
const secondsOf = (ms: string | null) => (ms ? String(Number(ms) / 1000) : "");
const msOf = (seconds: string) => (seconds.trim() === "" || Number.isNaN(Number(seconds)) ? "" : String(Math.round(Number(seconds) * 1000)));

/**
 * The run search. Every filter lives in the query string (so a search can be shared); pickers apply
 * at once, typed values when the form is submitted. Any change starts again at the newest page.
 */
export function RunFilters({ options }: { options: RunFilterOptions }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const workflowId = params.get("workflowId") ?? "";
  const versions = options.workflows.find((w) => w.id === workflowId)?.versions ?? [];

  function navigate(changes: Record<string, string>) {
    const next = new URLSearchParams(params.toString());
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    next.delete("cursor");
    const query = next.toString();
    router.push(query ? `${pathname}?${query}` : pathname);
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    navigate({
      q: text("q"),
      from: text("from"),
      to: text("to"),
      minDurationMs: msOf(text("minDuration")),
      maxDurationMs: msOf(text("maxDuration")),
      minCost: text("minCost"),
      maxCost: text("maxCost"),
      currency: text("currency") === "USD" ? "" : text("currency"),
    });
  }

  const select = (key: string, id: string, label: string, all: string, items: { value: string; label: string }[], extra: Record<string, string> = {}) => (
    <Field id={id} label={label}>
      <select id={id} data-testid={id} className={cn(selectClass, "max-w-64")} value={params.get(key) ?? ""} onChange={(event) => navigate({ [key]: event.target.value, ...extra })}>
        <option value="">{all}</option>
        {items.map((item) => (
          <option key={item.value} value={item.value}>
            {item.label}
          </option>
        ))}
      </select>
    </Field>
  );

  return (
    // Keyed by the query string so the typed fields show the URL's values after navigation.
    <form key={params.toString()} role="search" aria-label="Search runs" onSubmit={submit} className="space-y-3 rounded-lg border p-4" data-testid="run-filters">
      <div className="flex flex-wrap items-end gap-3">
        <Field id="run-filter-q" label="Search inputs, outputs and errors, or a run id" className="min-w-72 flex-1">
          <Input id="run-filter-q" data-testid="run-filter-q" name="q" type="search" defaultValue={params.get("q") ?? ""} placeholder={'invoice 4711, "exact phrase", -excluded'} maxLength={200} />
        </Field>
        <Button type="submit" size="sm" data-testid="run-filter-apply">
          Search
        </Button>
        <Button variant="ghost" size="sm" asChild>
          <Link href={pathname} data-testid="run-filter-clear">
            Clear
          </Link>
        </Button>
      </div>
      <div className="flex flex-wrap items-end gap-3">
        {select("status", "run-filter-status", "Status", "All statuses", STATUS_OPTIONS.map((s) => ({ value: s, label: capital(s) })))}
        {select("workflowId", "run-filter-workflow", "Workflow", "All workflows", options.workflows.map((w) => ({ value: w.id, label: w.name })), { version: "" })}
        {select("version", "run-filter-version", "Version", "All versions", [
          { value: "draft", label: "Draft (editor)" },
          ...versions.map((v) => ({ value: String(v), label: `v${v}` })),
        ])}
        {select("initiator", "run-filter-initiator", "Started by", "Anyone", options.initiators)}
        {select("trigger", "run-filter-trigger", "Trigger", "Any trigger", options.triggers.map((t) => ({ value: t, label: TRIGGER_LABELS[t] ?? capital(t) })))}
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <Field id="run-filter-from" label="Created from (UTC)">
          <Input id="run-filter-from" data-testid="run-filter-from" name="from" type="date" defaultValue={params.get("from")?.slice(0, 10) ?? ""} className="w-40" />
        </Field>
        <Field id="run-filter-to" label="Created to (UTC)">
          <Input id="run-filter-to" data-testid="run-filter-to" name="to" type="date" defaultValue={params.get("to")?.slice(0, 10) ?? ""} className="w-40" />
        </Field>
        <Field id="run-filter-min-duration" label="Min duration (s)">
          <Input id="run-filter-min-duration" data-testid="run-filter-min-duration" name="minDuration" type="number" min={0} step="any" defaultValue={secondsOf(params.get("minDurationMs"))} className="w-28" />
        </Field>
        <Field id="run-filter-max-duration" label="Max duration (s)">
          <Input id="run-filter-max-duration" data-testid="run-filter-max-duration" name="maxDuration" type="number" min={0} step="any" defaultValue={secondsOf(params.get("maxDurationMs"))} className="w-28" />
        </Field>
        <Field id="run-filter-min-cost" label="Min cost">
          <Input id="run-filter-min-cost" data-testid="run-filter-min-cost" name="minCost" type="number" min={0} step="any" defaultValue={params.get("minCost") ?? ""} className="w-28" />
        </Field>
        <Field id="run-filter-max-cost" label="Max cost">
          <Input id="run-filter-max-cost" data-testid="run-filter-max-cost" name="maxCost" type="number" min={0} step="any" defaultValue={params.get("maxCost") ?? ""} className="w-28" />
        </Field>
        <Field id="run-filter-currency" label="Currency">
          <select id="run-filter-currency" data-testid="run-filter-currency" name="currency" className={selectClass} defaultValue={params.get("currency") ?? "USD"}>
            {options.currencies.map((currency) => (
              <option key={currency} value={currency}>
                {currency}
              </option>
            ))}
          </select>
        </Field>
      </div>
    </form>
  );
}
