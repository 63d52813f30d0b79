"use client";

import { Plug, Plus, RefreshCw, Trash2 } from "lucide-react";
import { useEffect, useState } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { isLegacyStdio, type McpSourceView, type McpStatus, type McpStdioOptions } from "@/lib/tools/mcp/schema";
import { connectMcpSourceRequest, deleteMcpSourceRequest, listMcpSourcesRequest } from "./api";
import { McpServerForm, stdioOffReason } from "./mcp-server-form";
import { McpToolItem } from "./mcp-tool-item";

const TRANSPORT_LABEL: Record<NonNullable<McpSourceView["transport"]>, string> = {
  stdio: "stdio",
  streamable_http: "Streamable HTTP",
  sse: "legacy HTTP+SSE",
};

/** The badge's tooltip: when the status was last seen, from whichever process (web or worker). */
function statusTitle(source: McpSourceView): string {
  const at = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : null);
  if (source.status === "error") return `Last error${source.lastErrorAt ? ` at ${at(source.lastErrorAt)}` : ""}: ${source.lastError ?? ""}`;
  if (source.lastConnectedAt) return `Last successful contact at ${at(source.lastConnectedAt)}${source.liveHere ? " (a client is open in this web process)" : ""}`;
  return "No process has reached this server yet.";
}

const STATUS: Record<McpStatus, { tone: BadgeTone; label: string }> = {
  connected: { tone: "green", label: "Connected" },
  idle: { tone: "grey", label: "Idle" },
  error: { tone: "red", label: "Error" },
  never_connected: { tone: "muted", label: "Not connected yet" },
};

/** Until the list arrives, stdio is shown as off (the form cannot open before that anyway). */
const STDIO_UNKNOWN: McpStdioOptions = { enabled: false, servers: [], problem: null };

function describe(source: McpSourceView, stdio: McpStdioOptions): string {
  const config = source.config;
  if (config.transport === "http") return config.url;
  // A command a workspace chose before stdio became the operator's decision: shown so it can be recognised and deleted.
  if (isLegacyStdio(config)) return `${[config.command, ...config.args].join(" ")} (not allowed by the operator)`;
  return stdio.servers.find((server) => server.id === config.serverId)?.label ?? `${config.serverId} (no longer allowed by the operator)`;
}

/**
 * Tools page → MCP servers: register (an operator-allowed stdio server or Streamable HTTP),
 * Connect / Refresh tools, status, cached tools, delete. Developers and above only (the routes
 * enforce it). Mount it with `listMcpSources(member)` and `getMcpStdioOptions(member)` as
 * `initialSources` and `initialStdio`, or without and it fetches both itself.
 */
export function McpServersSection({ canManage, initialSources, initialStdio }: { canManage: boolean; initialSources?: McpSourceView[]; initialStdio?: McpStdioOptions }) {
  const [sources, setSources] = useState<McpSourceView[] | null>(initialSources ?? null);
  const [stdio, setStdio] = useState<McpStdioOptions>(initialStdio ?? STDIO_UNKNOWN);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [formKey, setFormKey] = useState(0);
  const [connecting, setConnecting] = useState<string | null>(null);
  const [messages, setMessages] = useState<Record<string, { ok: boolean; text: string }>>({});
  const [deleting, setDeleting] = useState<McpSourceView | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  const reload = async () => {
    try {
      const list = await listMcpSourcesRequest();
      setSources(list.sources);
      setStdio(list.stdio);
      setLoadError(null);
    } catch (failure) {
      setLoadError(failure instanceof Error ? failure.message : "Could not load the MCP servers.");
    }
  };

  // A page that loaded the list on the server passes it in; otherwise the section fetches it.
  const preloaded = initialSources !== undefined && initialStdio !== undefined;
  useEffect(() => {
    if (canManage && !preloaded) void reload();
  }, [canManage, preloaded]);

  if (!canManage) {
    return <p className="text-sm text-muted-foreground">Registering and connecting MCP servers needs the developer role. Their tools appear in the tool list once a developer connects them.</p>;
  }

  async function connect(source: McpSourceView) {
    setConnecting(source.id);
    try {
      const result = await connectMcpSourceRequest(source.id);
      const skipped = result.skipped.map((s) => `${s.toolName}: ${s.reason}`).join(" ");
      setMessages((m) => ({ ...m, [source.id]: { ok: result.ok, text: skipped ? `${result.message} ${skipped}` : result.message } }));
    } catch (failure) {
      setMessages((m) => ({ ...m, [source.id]: { ok: false, text: failure instanceof Error ? failure.message : "Could not connect." } }));
    } finally {
      setConnecting(null);
      await reload();
    }
  }

  async function remove() {
    if (!deleting) return;
    setDeleteError(null);
    try {
      await deleteMcpSourceRequest(deleting.id);
      setDeleting(null);
      await reload();
    } catch (failure) {
      setDeleteError(failure instanceof Error ? failure.message : "Could not delete the server.");
    }
  }

  return (
    <section className="space-y-4" aria-labelledby="mcp-servers-heading">
      <div className="flex items-center justify-between gap-3">
        <div>
          <h2 id="mcp-servers-heading" className="text-lg font-semibold">
            MCP servers
          </h2>
          <p className="text-sm text-muted-foreground">Model Context Protocol servers over Streamable HTTP, or over stdio from the operator&apos;s list. Their tools are cached when you connect and usable from Agent and Tool nodes.</p>
          {sources !== null && !stdio.enabled ? (
            <p className="text-xs text-muted-foreground" data-testid="mcp-stdio-off">
              {stdioOffReason(stdio)}
            </p>
          ) : null}
        </div>
        <Button
          onClick={() => {
            setFormKey((k) => k + 1);
            setAdding(true);
          }}
        >
          <Plus /> Register server
        </Button>
      </div>

      {loadError ? (
        <p role="alert" className="text-sm text-destructive">
          {loadError}
        </p>
      ) : null}

      {sources === null ? (
        <p className="text-sm text-muted-foreground">Loading…</p>
      ) : sources.length === 0 ? (
        <EmptyState icon={<Plug />} title="No MCP servers yet" description="Register a server by its URL or pick one the operator allows, then connect it to list its tools." />
      ) : (
        <ul className="grid gap-4">
          {sources.map((source) => {
            const status = STATUS[source.status];
            const message = messages[source.id];
            return (
              <li key={source.id}>
                <Card data-testid="mcp-source-card">
                  <CardHeader className="flex-row flex-wrap items-start justify-between gap-3">
                    <div className="min-w-0 space-y-1.5">
                      <CardTitle className="flex items-center gap-2">
                        {source.name}
                        <Badge tone="muted" data-testid="mcp-transport" title={source.transport === "sse" ? "The server refused Streamable HTTP; Weft uses the older HTTP+SSE transport." : undefined}>
                          {source.transport ? TRANSPORT_LABEL[source.transport] : source.config.transport === "stdio" ? "stdio" : "HTTP"}
                        </Badge>
                        <Badge tone={status.tone} data-testid="mcp-status" data-source={source.id} title={statusTitle(source)}>
                          {status.label}
                        </Badge>
                        {"sampling" in source.config && source.config.sampling ? (
                          <Badge tone="muted" data-testid="mcp-sampling-badge" title={`Sampling answered by ${source.config.sampling.model}: at most ${source.config.sampling.maxTokensPerRequest} tokens a request, ${source.config.sampling.maxTokensPerCall} a call, ${source.config.sampling.maxTokensPerRun} a run`}>
                            sampling
                          </Badge>
                        ) : null}
                        {"elicitation" in source.config && source.config.elicitation ? (
                          <Badge tone="muted" data-testid="mcp-elicitation-badge" title="The server may ask a person questions (held on the running step)">
                            elicitation
                          </Badge>
                        ) : null}
                      </CardTitle>
                      <CardDescription className="break-all font-mono text-xs">{describe(source, stdio)}</CardDescription>
                    </div>
                    <div className="flex items-center gap-1">
                      <Button size="sm" variant="outline" onClick={() => connect(source)} disabled={connecting !== null}>
                        <RefreshCw className={connecting === source.id ? "animate-spin" : undefined} />
                        {source.lastSyncedAt ? "Refresh tools" : "Connect"}
                      </Button>
                      <Button
                        variant="ghost"
                        size="icon-sm"
                        aria-label={`Delete ${source.name}`}
                        title="Delete"
                        className="text-muted-foreground hover:text-destructive"
                        onClick={() => {
                          setDeleteError(null);
                          setDeleting(source);
                        }}
                      >
                        <Trash2 />
                      </Button>
                    </div>
                  </CardHeader>
                  <CardContent className="space-y-3">
                    {message ? (
                      <p role="status" className={message.ok ? "text-sm text-green-700" : "text-sm text-red-700"}>
                        {message.text}
                      </p>
                    ) : null}
                    {source.lastError && !message ? (
                      <p role="alert" className="whitespace-pre-wrap rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
                        {source.lastErrorAt ? <span className="block text-xs text-red-600">{new Date(source.lastErrorAt).toLocaleString()}</span> : null}
                        {source.lastError}
                      </p>
                    ) : null}
                    <p className="text-xs text-muted-foreground">
                      {source.lastSyncedAt ? `Tools listed ${new Date(source.lastSyncedAt).toLocaleString()}` : "Tools not listed yet"} · prefix <span className="font-mono">{source.toolPrefix}_</span>
                    </p>
                    {source.tools.length ? (
                      <ul className="divide-y rounded-md border text-sm">
                        {source.tools.map((tool) => (
                          <McpToolItem key={tool.id} sourceId={source.id} tool={tool} />
                        ))}
                      </ul>
                    ) : null}
                  </CardContent>
                </Card>
              </li>
            );
          })}
        </ul>
      )}

      {adding ? (
        <McpServerForm
          key={formKey}
          open
          onOpenChange={(next) => {
            if (!next) setAdding(false);
          }}
          onSaved={() => void reload()}
          stdio={stdio}
        />
      ) : null}

      <Dialog open={deleting !== null} onOpenChange={(next) => !next && setDeleting(null)}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Delete {deleting?.name}?</DialogTitle>
            <DialogDescription>Its {deleting?.tools.length ?? 0} cached tools are deleted too; agents that use them will fail until they are given other tools.</DialogDescription>
          </DialogHeader>
          {deleteError ? (
            <p role="alert" className="text-sm text-destructive">
              {deleteError}
            </p>
          ) : null}
          <DialogFooter>
            <Button variant="outline" onClick={() => setDeleting(null)}>
              Cancel
            </Button>
            <Button variant="destructive" onClick={remove}>
              Delete
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </section>
  );
}
