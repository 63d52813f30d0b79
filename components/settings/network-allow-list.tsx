"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { ApiError, request } from "./api";

const saveAllowList = (allowList: string[]) => request<{ allowList: string[] }>("/api/network-allow-list", { method: "PUT", body: JSON.stringify({ allowList }) });

/** The server's reasons, one per refused entry, rather than only "The request body is invalid." */
function describeFailure(failure: unknown): string {
  if (failure instanceof ApiError && failure.issues.length > 0) return failure.issues.map((issue) => issue.message).join(" ");
  return failure instanceof Error ? failure.message : "Could not save.";
}

/** Settings → Network: the one allow-list of every outbound path of the workspace; admins edit it. */
export function NetworkAllowListEditor({ initialAllowList, canEdit }: { initialAllowList: string[]; canEdit: boolean }) {
  const [text, setText] = useState(initialAllowList.join("\n"));
  const [state, setState] = useState<string | null>(null);

  const save = () =>
    void saveAllowList(text.split("\n").map((s) => s.trim()).filter(Boolean))
      .then((saved) => {
        setText(saved.allowList.join("\n"));
        setState(`Saved (${saved.allowList.length} entries).`);
      })
      .catch((failure: unknown) => setState(describeFailure(failure)));

  return (
    <section className="space-y-2 rounded-lg border p-4">
      <h2 className="text-sm font-semibold">Private network allow-list</h2>
      <p className="text-xs text-muted-foreground">
        HTTP nodes, tools, MCP servers and model providers cannot reach loopback, private or link-local addresses. Entries here open single hosts (<code>host</code>,{" "}
        <code>host:port</code>, an IP, <code>127.0.0.1:4010</code>) or networks (<code>10.20.0.0/16</code>) for this workspace. One per line; admins only. Catch-alls
        (<code>0.0.0.0/0</code>, IPv4 or IPv6 networks broader than /8) and cloud metadata endpoints are refused.
      </p>
      <Label htmlFor="network-allow-list" className="sr-only">
        Allow-list
      </Label>
      <Textarea id="network-allow-list" rows={5} className="font-mono text-xs" value={text} disabled={!canEdit} onChange={(e) => setText(e.target.value)} />
      {canEdit ? (
        <div className="flex items-center gap-2">
          <Button size="sm" variant="outline" onClick={save}>
            Save allow-list
          </Button>
          {state ? (
            <span className="text-xs text-muted-foreground" data-testid="allow-list-status">
              {state}
            </span>
          ) : null}
        </div>
      ) : (
        <p className="text-xs text-muted-foreground">Only admins and owners can change it.</p>
      )}
    </section>
  );
}
