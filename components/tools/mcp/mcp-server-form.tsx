"use client";

import { useState, type FormEvent } from "react";
import { ApiError } from "@/components/settings/api";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { CreateMcpSourceSchema, type CreateMcpSourceInput, defaultToolPrefix, type McpSourceView, type McpStdioOptions } from "@/lib/tools/mcp/schema";
import { createMcpSourceRequest } from "./api";
import { ServerRequestFields, type ServerRequestSettings } from "./server-request-fields";
import { emptyRows, StdioFields } from "./stdio-fields";
import { rowsToRecord, ValueRows, type ValueRow } from "./value-rows";

type Transport = "stdio" | "http";

function issueText(issues: readonly { path: PropertyKey[] | string; message: string }[]): string {
  return issues.map((issue) => `${Array.isArray(issue.path) ? issue.path.join(".") : issue.path}: ${issue.message}`).join("; ");
}

/** Why the stdio option is unavailable, in the operator's terms. */
export function stdioOffReason(stdio: McpStdioOptions): string {
  if (stdio.problem) return `stdio servers are off: ${stdio.problem}`;
  return "stdio servers are off on this instance: they run programs on the Weft hosts, so only the operator can allow them (WEFT_MCP_STDIO_SERVERS). Use a Streamable HTTP server, or ask your operator.";
}

/**
 * Register an MCP server. Saving starts nothing; the list's Connect button does. A stdio server is
 * picked from the operator's list (its command is the operator's); its variables are the ones the
 * entry allows.
 */
export function McpServerForm({ open, onOpenChange, onSaved, stdio }: { open: boolean; onOpenChange: (open: boolean) => void; onSaved: (view: McpSourceView) => void; stdio: McpStdioOptions }) {
  const [transport, setTransport] = useState<Transport>(stdio.enabled ? "stdio" : "http");
  const [name, setName] = useState("");
  const [toolPrefix, setToolPrefix] = useState("");
  const [serverId, setServerId] = useState(stdio.servers[0]?.id ?? "");
  const [env, setEnv] = useState<ValueRow[]>(emptyRows(stdio.servers[0]?.allowedEnv ?? []));
  const [url, setUrl] = useState("");
  const [headers, setHeaders] = useState<ValueRow[]>([]);
  const [requests, setRequests] = useState<ServerRequestSettings>({ sampling: null, elicitation: false });
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const asks = { ...(requests.sampling ? { sampling: requests.sampling } : {}), ...(requests.elicitation ? { elicitation: true } : {}) };
    const config =
      transport === "stdio"
        ? // Rows left empty are variables the server may take but this source does not set.
          { transport, serverId, env: rowsToRecord(env.filter((row) => row.value.trim())), ...asks }
        : { transport, url, headers: rowsToRecord(headers), ...asks };
    const input: CreateMcpSourceInput = { name, config, ...(toolPrefix.trim() ? { toolPrefix: toolPrefix.trim() } : {}) };
    const checked = CreateMcpSourceSchema.safeParse(input);
    if (!checked.success) return setError(issueText(checked.error.issues));
    setPending(true);
    try {
      onSaved(await createMcpSourceRequest(input));
      onOpenChange(false);
    } catch (failure) {
      setError(failure instanceof ApiError && failure.issues.length ? issueText(failure.issues) : failure instanceof Error ? failure.message : "Could not register the server.");
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90vh] max-w-2xl overflow-y-auto">
        <form onSubmit={submit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Register an MCP server</DialogTitle>
            <DialogDescription>Nothing is started or contacted until you press Connect. Secrets are referred to by name and resolved only when the server starts.</DialogDescription>
          </DialogHeader>

          <div className="grid gap-4 sm:grid-cols-2">
            <div className="space-y-1.5">
              <Label htmlFor="mcp-name">Name</Label>
              <Input id="mcp-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={80} placeholder="Orders" />
            </div>
            <div className="space-y-1.5">
              <Label htmlFor="mcp-prefix">Tool name prefix</Label>
              <Input id="mcp-prefix" value={toolPrefix} onChange={(e) => setToolPrefix(e.target.value)} placeholder={defaultToolPrefix(name || "mcp")} className="font-mono" spellCheck={false} />
            </div>
          </div>

          <div className="space-y-1.5">
            <Label htmlFor="mcp-transport">Transport</Label>
            <Select value={transport} onValueChange={(v) => setTransport(v === "stdio" && stdio.enabled ? "stdio" : "http")}>
              <SelectTrigger id="mcp-transport" aria-label="Transport">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value="stdio" disabled={!stdio.enabled}>
                  stdio (a server the operator allows)
                </SelectItem>
                <SelectItem value="http">Streamable HTTP (a URL)</SelectItem>
              </SelectContent>
            </Select>
            {stdio.enabled ? null : (
              <p className="text-xs text-muted-foreground" data-testid="mcp-stdio-off">
                {stdioOffReason(stdio)}
              </p>
            )}
          </div>

          {transport === "stdio" ? (
            <StdioFields
              stdio={stdio}
              serverId={serverId}
              env={env}
              onEnvChange={setEnv}
              onPick={(id) => {
                setServerId(id);
                setEnv(emptyRows(stdio.servers.find((server) => server.id === id)?.allowedEnv ?? []));
              }}
            />
          ) : (
            <>
              <div className="space-y-1.5">
                <Label htmlFor="mcp-url">URL</Label>
                <Input id="mcp-url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://mcp.example.com/mcp" className="font-mono" spellCheck={false} />
                <p className="text-xs text-muted-foreground">Private and loopback addresses are refused unless an admin allow-lists the host.</p>
              </div>
              <div className="space-y-1.5">
                <Label>Headers</Label>
                <p className="text-xs text-muted-foreground">A text value may embed a secret: Bearer {"{{ secrets.API_TOKEN }}"}.</p>
                <ValueRows label="Header" rows={headers} onChange={setHeaders} namePlaceholder="Authorization" textPlaceholder="Bearer {{ secrets.API_TOKEN }}" />
              </div>
            </>
          )}

          <ServerRequestFields value={requests} onChange={setRequests} />

          {error ? (
            <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
              {error}
            </p>
          ) : null}

          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? "Saving…" : "Register"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
