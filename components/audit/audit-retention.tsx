"use client";

import { useState } from "react";
import { ApiError, request } from "@/components/settings/api";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

const save = (retentionDays: number) => request<{ retentionDays: number }>("/api/audit/settings", { method: "PUT", body: JSON.stringify({ retentionDays }) });

/** Retention of the audit log: admins set the days; the worker purges older entries. */
export function AuditRetention({ initialDays, canEdit, minDays, maxDays }: { initialDays: number; canEdit: boolean; minDays: number; maxDays: number }) {
  const [days, setDays] = useState(String(initialDays));
  const [status, setStatus] = useState<string | null>(null);

  const submit = () =>
    void save(Number(days))
      .then((saved) => setStatus(`Saved: entries are kept ${saved.retentionDays} days.`))
      .catch((failure: unknown) =>
        setStatus(failure instanceof ApiError && failure.issues.length ? failure.issues.map((i) => i.message).join(" ") : failure instanceof Error ? failure.message : "Could not save."),
      );

  return (
    <section className="flex flex-wrap items-end gap-3 rounded-lg border p-4" aria-label="Retention">
      <div className="flex flex-col gap-1">
        <Label htmlFor="audit-retention-days">Keep entries for (days)</Label>
        <Input id="audit-retention-days" type="number" min={minDays} max={maxDays} className="w-32" value={days} disabled={!canEdit} onChange={(e) => setDays(e.target.value)} />
      </div>
      {canEdit ? (
        <Button size="sm" variant="outline" onClick={submit}>
          Save retention
        </Button>
      ) : (
        <p className="text-xs text-muted-foreground">Only admins and owners can change it.</p>
      )}
      <p className="text-xs text-muted-foreground">
        {minDays}–{maxDays} days. Older entries are removed by the worker once an hour; nothing else can change or remove them.
      </p>
      {status ? (
        <p className="w-full text-xs text-muted-foreground" data-testid="audit-retention-status" role="status">
          {status}
        </p>
      ) : null}
    </section>
  );
}
