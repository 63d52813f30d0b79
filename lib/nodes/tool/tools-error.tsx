"use client";

import { Button } from "@/components/ui/button";

/** Why a workspace list (tools, knowledge bases) could not be loaded, with a Retry (Agent, Tool and Knowledge panels). */
export function ToolsLoadError({ state }: { state: { status: string; message?: string; reload: () => void } }) {
  if (state.status !== "error") return null;
  return (
    <p className="text-xs text-red-600">
      {state.message}{" "}
      <Button variant="ghost" size="sm" className="h-6 px-1.5 text-xs" onClick={state.reload}>
        Retry
      </Button>
    </p>
  );
}
