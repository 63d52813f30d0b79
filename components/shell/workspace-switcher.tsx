"use client";

import { Check, ChevronsUpDown } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { switchRequest } from "@/components/members/api";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import type { Role } from "@/lib/auth/member";

export interface WorkspaceChoice {
  id: string;
  name: string;
  role: Role;
}

/**
 * The current workspace and, for people in several, a menu to switch (the weft_workspace cookie,
 * set by /api/workspaces/switch). Switching goes to the workflow list: the page open now belongs
 * to the old workspace.
 */
export function WorkspaceSwitcher({ current, workspaces }: { current: WorkspaceChoice; workspaces: WorkspaceChoice[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const label = (
    <>
      <span className="block truncate text-sm font-medium" data-testid="workspace-name" title={current.name}>
        {current.name}
      </span>
      <span className="block text-xs capitalize text-muted-foreground">{current.role}</span>
    </>
  );
  if (workspaces.length < 2) return <div className="px-2.5">{label}</div>;

  async function choose(id: string) {
    if (id === current.id) return;
    setError(null);
    try {
      await switchRequest(id);
      router.push("/workflows");
      router.refresh();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not switch workspace.");
    }
  }

  return (
    <div>
      <DropdownMenu>
        <DropdownMenuTrigger
          className="flex w-full items-center gap-2 rounded-md px-2.5 py-1 text-left hover:bg-accent/60"
          aria-label={`Switch workspace (current: ${current.name})`}
          data-testid="workspace-switcher"
        >
          <span className="min-w-0 flex-1">{label}</span>
          <ChevronsUpDown className="size-4 shrink-0 text-muted-foreground" />
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start" className="w-56">
          <DropdownMenuLabel className="text-xs text-muted-foreground">Workspaces</DropdownMenuLabel>
          {workspaces.map((workspace) => (
            <DropdownMenuItem key={workspace.id} onSelect={() => void choose(workspace.id)} data-testid="workspace-option" aria-current={workspace.id === current.id ? "true" : undefined}>
              <span className="min-w-0 flex-1 truncate">{workspace.name}</span>
              <span className="text-xs capitalize text-muted-foreground">{workspace.role}</span>
              {workspace.id === current.id ? <Check /> : null}
            </DropdownMenuItem>
          ))}
        </DropdownMenuContent>
      </DropdownMenu>
      {error ? (
        <p role="alert" className="px-2.5 text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
