"use client";

import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import type { McpStdioOptions } from "@/lib/tools/mcp/schema";
import { ValueRows, type ValueRow } from "./value-rows";

/** Rows for the variables an operator's entry accepts, empty until filled. */
export const emptyRows = (names: string[]): ValueRow[] => names.map((name) => ({ name, kind: "text", value: "" }));

/**
 * The stdio part of the register form: a picker over the operator's servers (never a command
 * field: the program and its arguments are the operator's) and the variables the picked one accepts.
 */
export function StdioFields({ stdio, serverId, env, onPick, onEnvChange }: { stdio: McpStdioOptions; serverId: string; env: ValueRow[]; onPick: (id: string) => void; onEnvChange: (rows: ValueRow[]) => void }) {
  const accepted = stdio.servers.find((server) => server.id === serverId)?.allowedEnv ?? [];
  return (
    <>
      <div className="space-y-1.5">
        <Label htmlFor="mcp-server-id">Server</Label>
        <Select value={serverId} onValueChange={onPick}>
          <SelectTrigger id="mcp-server-id" aria-label="Server">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {stdio.servers.map((server) => (
              <SelectItem key={server.id} value={server.id}>
                {server.label}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <p className="text-xs text-muted-foreground">The operator decides which programs run on the Weft hosts and with which arguments.</p>
      </div>
      <div className="space-y-1.5">
        <Label>Environment</Label>
        <p className="text-xs text-muted-foreground">
          The server sees only these variables, PATH and HOME, never the worker&apos;s own. It accepts: {accepted.join(", ") || "no variables"}.
        </p>
        <ValueRows label="Variable" rows={env} onChange={onEnvChange} namePlaceholder="API_TOKEN" textPlaceholder="value" />
      </div>
    </>
  );
}
