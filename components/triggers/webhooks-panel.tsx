"use client";

import { Trash2 } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { WebhookView } from "@/lib/triggers/webhook-schemas";
import { triggerRequest, workflowPath } from "./api";
import { Choice } from "./choice";
import { useTriggerList } from "./use-trigger-list";
import { WebhookHelp } from "./webhook-help";

const AUTH_OPTIONS = [
  { value: "hmac", label: "HMAC signature" },
  { value: "api_key", label: "API key" },
  { value: "none", label: "None (URL only)" },
] as const;
const MODE_OPTIONS = [
  { value: "async", label: "Async: 202 with the run id" },
  { value: "sync", label: "Sync: wait for the output" },
] as const;

/** The workflow's webhooks: create (the secret is shown once), enable/disable, delete. */
export function WebhooksPanel({ workflowId, canManage }: { workflowId: string; canManage: boolean }) {
  const { items: hooks, error, act } = useTriggerList<WebhookView>(workflowPath(workflowId, "webhooks"), "webhooks");
  const [created, setCreated] = useState<{ id: string; secret: string | null } | null>(null);
  const [name, setName] = useState("");
  const [authMode, setAuthMode] = useState<(typeof AUTH_OPTIONS)[number]["value"]>("hmac");
  const [mode, setMode] = useState<(typeof MODE_OPTIONS)[number]["value"]>("async");
  const origin = typeof window === "undefined" ? "" : window.location.origin;

  const create = () =>
    act(async () => {
      const body = await triggerRequest<{ webhook: WebhookView; secret: string | null }>(workflowPath(workflowId, "webhooks"), { method: "POST", body: { name, authMode, mode } });
      setCreated({ id: body.webhook.id, secret: body.secret });
      setName("");
    });

  return (
    <div className="grid gap-4" data-testid="webhooks-panel">
      {hooks.length === 0 ? <p className="text-sm text-muted-foreground">No webhooks yet.</p> : null}
      {hooks.map((hook) => (
        <div key={hook.id} className="grid gap-2 rounded border p-3" data-testid="webhook-item">
          <div className="flex items-center gap-2">
            <span className="font-medium">{hook.name}</span>
            <Badge tone={hook.enabled ? "green" : "muted"}>{hook.enabled ? "enabled" : "disabled"}</Badge>
            <Badge tone="outline">{hook.authMode}</Badge>
            <Badge tone="outline">{hook.mode}</Badge>
            {canManage ? (
              <div className="ml-auto flex gap-1">
                <Button size="sm" variant="outline" onClick={() => void act(() => triggerRequest(workflowPath(workflowId, `webhooks/${hook.id}`), { method: "PATCH", body: { enabled: !hook.enabled } }))}>
                  {hook.enabled ? "Disable" : "Enable"}
                </Button>
                <Button size="icon-sm" variant="ghost" aria-label={`Delete ${hook.name}`} onClick={() => void act(() => triggerRequest(workflowPath(workflowId, `webhooks/${hook.id}`), { method: "DELETE" }))}>
                  <Trash2 aria-hidden />
                </Button>
              </div>
            ) : null}
          </div>
          {created?.id === hook.id && created.secret ? (
            <p className="rounded border border-amber-200 bg-amber-50 p-2 text-xs" data-testid="webhook-secret">
              Signing secret (shown once, copy it now): <code className="break-all">{created.secret}</code>
            </p>
          ) : null}
          <WebhookHelp webhook={hook} origin={origin} secret={created?.id === hook.id ? created.secret : null} />
        </div>
      ))}
      {canManage ? (
        <div className="grid gap-2 rounded border border-dashed p-3">
          <div className="grid gap-1">
            <Label htmlFor="webhook-name">New webhook</Label>
            <Input id="webhook-name" placeholder="e.g. CRM new lead" value={name} maxLength={120} onChange={(e) => setName(e.target.value)} data-testid="webhook-name" />
          </div>
          <div className="grid grid-cols-2 gap-2">
            <Choice id="webhook-auth" label="Authentication" value={authMode} options={AUTH_OPTIONS} onChange={setAuthMode} />
            <Choice id="webhook-mode" label="Answer" value={mode} options={MODE_OPTIONS} onChange={setMode} />
          </div>
          <Button size="sm" className="justify-self-start" disabled={!name.trim()} onClick={() => void create()} data-testid="webhook-create">
            Add webhook
          </Button>
        </div>
      ) : null}
      {error ? <p className="text-sm text-red-700" role="alert">{error}</p> : null}
    </div>
  );
}
