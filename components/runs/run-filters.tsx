"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Label } from "@/components/ui/label";
import { cn } from "@/lib/utils";

const STATUS_OPTIONS = ["queued", "running", "waiting", "succeeded", "failed", "cancelled"] as const;

const selectClass =
  "h-9 rounded-md border border-input bg-background px-2 text-sm shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring";

/** Status and workflow filters; each change rewrites the query string (and resets paging). */
export function RunFilters({ workflows }: { workflows: { id: string; name: string }[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();

  function update(key: "status" | "workflow", value: string) {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete("cursor");
    const query = next.toString();
    router.push(query ? `${pathname}?${query}` : pathname);
  }

  return (
    <div className="flex flex-wrap items-end gap-3">
      <div className="flex flex-col gap-1">
        <Label htmlFor="run-filter-status" className="text-xs text-muted-foreground">
          Status
        </Label>
        <select
          id="run-filter-status"
          className={selectClass}
          value={params.get("status") ?? ""}
          onChange={(event) => update("status", event.target.value)}
        >
          <option value="">All statuses</option>
          {STATUS_OPTIONS.map((status) => (
            <option key={status} value={status}>
              {status[0].toUpperCase() + status.slice(1)}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="run-filter-workflow" className="text-xs text-muted-foreground">
          Workflow
        </Label>
        <select
          id="run-filter-workflow"
          className={cn(selectClass, "max-w-64")}
          value={params.get("workflow") ?? ""}
          onChange={(event) => update("workflow", event.target.value)}
        >
          <option value="">All workflows</option>
          {workflows.map((workflow) => (
            <option key={workflow.id} value={workflow.id}>
              {workflow.name}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
