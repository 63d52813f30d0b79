"use client";

import { FileJson, Plus, Wrench } from "lucide-react";
import { useEffect, useState } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { ToolKind, ToolView } from "@/lib/tools/schema";
import { deleteToolRequest, listToolsRequest, secretNamesRequest, updateToolRequest } from "./api";
import { OpenApiImportDialog } from "./openapi-import-dialog";
import { ToolConsole } from "./tool-console";
import { ToolForm } from "./tool-form";

const KIND_TONES: Record<ToolKind, BadgeTone> = { http: "blue", openapi: "green", code: "amber", mcp: "grey", workflow: "default" };

/** The Tools page: the registry table, create/edit forms, OpenAPI import, the console (the allow-list is in Settings → Network). */
export function ToolsManager({
  initialTools,
  canManage,
  canTest,
}: {
  initialTools: ToolView[];
  canManage: boolean;
  canTest: boolean;
}) {
  const [tools, setTools] = useState(initialTools);
  const [secretNames, setSecretNames] = useState<string[]>([]);
  const [editing, setEditing] = useState<{ tool: ToolView | null; key: number } | null>(null);
  const [importing, setImporting] = useState(false);
  const [consoleTool, setConsoleTool] = useState<ToolView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    if (canManage) void secretNamesRequest().then(setSecretNames);
  }, [canManage]);

  const reload = async () => setTools((await listToolsRequest()).tools);

  async function act(work: () => Promise<void>) {
    setNotice(null);
    try {
      await work();
    } catch (failure) {
      setNotice(failure instanceof Error ? failure.message : "Something went wrong.");
    }
  }

  return (
    <div className="space-y-6">
      {canManage ? (
        <div className="flex justify-end gap-2">
          <Button variant="outline" onClick={() => setImporting(true)} data-testid="import-openapi">
            <FileJson /> Import OpenAPI
          </Button>
          <Button onClick={() => setEditing({ tool: null, key: Date.now() })} data-testid="create-tool">
            <Plus /> New tool
          </Button>
        </div>
      ) : null}
      {notice ? (
        <p className="text-sm" role="status">
          {notice}
        </p>
      ) : null}

      {tools.length === 0 ? (
        <EmptyState icon={<Wrench />} title="No tools yet" description="Register an HTTP, code or workflow tool, or import operations from an OpenAPI document. Agents and Tool nodes call them." />
      ) : (
        <Table data-testid="tools-table">
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>Kind</TableHead>
              <TableHead>Description</TableHead>
              <TableHead>Version</TableHead>
              <TableHead>Owner</TableHead>
              <TableHead>Enabled</TableHead>
              <TableHead className="text-right">Actions</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {tools.map((tool) => (
              <TableRow key={tool.id} data-testid="tool-row">
                <TableCell>
                  <code className="text-xs font-medium">{tool.name}</code>
                  {tool.sourceName ? <p className="text-xs text-muted-foreground">from {tool.sourceName}</p> : null}
                </TableCell>
                <TableCell>
                  <Badge tone={KIND_TONES[tool.kind] ?? "grey"}>{tool.kind}</Badge>
                </TableCell>
                <TableCell className="max-w-xs truncate text-sm text-muted-foreground" title={tool.description}>
                  {tool.description}
                </TableCell>
                <TableCell className="text-sm">v{tool.version}</TableCell>
                <TableCell className="text-xs text-muted-foreground">{tool.ownerName ?? "—"}</TableCell>
                <TableCell>
                  <input
                    type="checkbox"
                    aria-label={`Enable ${tool.name}`}
                    checked={tool.enabled}
                    disabled={!canManage}
                    onChange={(e) =>
                      void act(async () => {
                        const updated = await updateToolRequest(tool.id, { enabled: e.target.checked });
                        setTools((list) => list.map((t) => (t.id === updated.id ? updated : t)));
                      })
                    }
                  />
                </TableCell>
                <TableCell className="space-x-1 whitespace-nowrap text-right">
                  {canTest ? (
                    <Button size="sm" variant="outline" onClick={() => setConsoleTool(tool)} aria-label={`Test ${tool.name}`}>
                      Test
                    </Button>
                  ) : null}
                  {canManage && (tool.kind === "http" || tool.kind === "code" || tool.kind === "workflow") ? (
                    <Button size="sm" variant="outline" onClick={() => setEditing({ tool, key: Date.now() })} aria-label={`Edit ${tool.name}`}>
                      Edit
                    </Button>
                  ) : null}
                  {canManage ? (
                    <Button
                      size="sm"
                      variant="outline"
                      aria-label={`Delete ${tool.name}`}
                      onClick={() =>
                        void act(async () => {
                          if (!window.confirm(`Delete the tool ${tool.name}? Agents that use it will fail with "tool not found".`)) return;
                          await deleteToolRequest(tool.id);
                          setTools((list) => list.filter((t) => t.id !== tool.id));
                        })
                      }
                    >
                      Delete
                    </Button>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}

      {editing ? (
        <ToolForm
          key={editing.key}
          open
          tool={editing.tool}
          secretNames={secretNames}
          onOpenChange={(open) => !open && setEditing(null)}
          onSaved={(saved) => {
            setTools((list) => [...list.filter((t) => t.id !== saved.id), saved].sort((a, b) => a.name.localeCompare(b.name)));
            setEditing(null);
          }}
        />
      ) : null}
      <OpenApiImportDialog
        open={importing}
        secretNames={secretNames}
        onOpenChange={setImporting}
        onImported={(summary) => {
          setImporting(false);
          setNotice(`Imported ${summary}`);
          void reload();
        }}
      />
      <ToolConsole tool={consoleTool} onClose={() => setConsoleTool(null)} />
    </div>
  );
}
