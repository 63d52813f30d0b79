"use client";

import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import type { McpToolView } from "@/lib/tools/mcp/schema";
import { updateMcpToolRequest } from "./api";

/** The server's hints about a tool, as badges (hints from the server, not guarantees). */
function annotationBadges(tool: McpToolView): { label: string; tone: "green" | "red" | "grey" | "blue" }[] {
  const a = tool.annotations;
  const badges: { label: string; tone: "green" | "red" | "grey" | "blue" }[] = [];
  if (a.readOnlyHint) badges.push({ label: "read-only", tone: "green" });
  if (a.destructiveHint) badges.push({ label: "destructive", tone: "red" });
  if (a.idempotentHint) badges.push({ label: "idempotent", tone: "grey" });
  if (a.openWorldHint) badges.push({ label: "open world", tone: "blue" });
  return badges;
}

/**
 * One cached tool of an MCP server: name, title and description, annotations, input schema, and
 * the per-tool setting "require approval before each call" (offered first for destructive tools).
 */
export function McpToolItem({ sourceId, tool }: { sourceId: string; tool: McpToolView }) {
  const [requireApproval, setRequireApproval] = useState(tool.requireApproval);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function toggle(next: boolean) {
    setSaving(true);
    setError(null);
    try {
      setRequireApproval((await updateMcpToolRequest(sourceId, tool.id, { requireApproval: next })).requireApproval);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not save the setting.");
    } finally {
      setSaving(false);
    }
  }

  return (
    <li className="space-y-1.5 px-3 py-2" data-testid="mcp-tool">
      <details>
        <summary className="cursor-pointer">
          <span className="font-mono">{tool.name}</span>
          {tool.annotations.title ? <span className="ml-1 font-medium">{tool.annotations.title}</span> : null}
          {annotationBadges(tool).map((badge) => (
            <Badge key={badge.label} tone={badge.tone} className="ml-1" data-testid="mcp-tool-annotation">
              {badge.label}
            </Badge>
          ))}
          {tool.description ? <span className="text-muted-foreground"> — {tool.description}</span> : null}
        </summary>
        <pre className="mt-2 max-h-64 overflow-auto rounded bg-muted p-2 text-xs">{JSON.stringify(tool.inputSchema, null, 2)}</pre>
      </details>
      <label className="flex items-center gap-2 text-xs text-muted-foreground">
        <input type="checkbox" checked={requireApproval} disabled={saving} onChange={(e) => void toggle(e.target.checked)} data-testid="mcp-tool-require-approval" />
        Require a person&apos;s approval before each call{tool.annotations.destructiveHint ? " (recommended: the server marks it destructive)" : ""}
      </label>
      {error ? (
        <p role="alert" className="text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </li>
  );
}
