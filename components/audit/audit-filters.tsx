"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import type { FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { AUDIT_ACTIONS } from "@/lib/audit/actions";

const FIELDS = [
  { name: "actor", label: "Actor", placeholder: "email, user or key id", type: "text" },
  { name: "action", label: "Action", placeholder: "e.g. workflow or secret.updated", type: "text" },
  { name: "target", label: "Target", placeholder: "name, type or id", type: "text" },
  { name: "from", label: "From", placeholder: "", type: "date" },
  { name: "to", label: "To", placeholder: "", type: "date" },
] as const;

/** The audit log's filters; applying them rewrites the query string (so a filtered view can be shared) and resets paging. */
export function AuditFilters() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(event.currentTarget).entries()) if (typeof value === "string" && value.trim()) next.set(key, value.trim());
    const query = next.toString();
    router.push(query ? `${pathname}?${query}` : pathname);
  }

  return (
    <form className="flex flex-wrap items-end gap-3" onSubmit={apply} aria-label="Audit log filters" data-testid="audit-filters">
      {FIELDS.map((field) => (
        <div key={field.name} className="flex flex-col gap-1">
          <Label htmlFor={`audit-filter-${field.name}`} className="text-xs text-muted-foreground">
            {field.label}
          </Label>
          <Input
            id={`audit-filter-${field.name}`}
            name={field.name}
            type={field.type}
            placeholder={field.placeholder}
            defaultValue={params.get(field.name) ?? ""}
            list={field.name === "action" ? "audit-actions" : undefined}
            className={field.type === "date" ? "w-40" : "w-52"}
          />
        </div>
      ))}
      <datalist id="audit-actions">
        {AUDIT_ACTIONS.map((action) => (
          <option key={action} value={action} />
        ))}
      </datalist>
      <Button type="submit" size="sm">
        Apply filters
      </Button>
      <Button type="button" size="sm" variant="ghost" onClick={() => router.push(pathname)}>
        Clear
      </Button>
    </form>
  );
}
