"use client";

import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { ANY_HOST, AllowedHostsSchema } from "@/lib/secrets/hosts";

/** Where a secret may go and who may use it, as the Secrets page shows and edits it. */

export type SecretRole = "editor" | "developer" | "admin" | "owner";

export interface SecretUseRow {
  kind: "workflow" | "version" | "tool" | "source";
  id: string;
  name: string;
  nodeIds?: string[];
}

/** "Any member" is stored as null: viewers cannot run workflows, so editor is the open floor. */
const ROLE_CHOICES: { value: SecretRole | "any"; label: string }[] = [
  { value: "any", label: "Any member who can run workflows" },
  { value: "developer", label: "Developers and above" },
  { value: "admin", label: "Admins and owners" },
  { value: "owner", label: "Owners only" },
];

/** Hosts typed one per line (or comma-separated) → the validated list, or the first problem in words. */
export function parseHostsText(text: string): { hosts: string[] } | { problem: string } {
  const entries = text
    .split(/[\n,]/)
    .map((h) => h.trim())
    .filter(Boolean);
  const parsed = AllowedHostsSchema.safeParse(entries);
  return parsed.success ? { hosts: parsed.data } : { problem: parsed.error.issues[0]?.message ?? "Check the hosts." };
}

/** Badges for the list: locked (legacy, no hosts), any host (a warning), or the hosts and the role. */
export function HostsCell({ hosts, minRole }: { hosts: string[]; minRole: SecretRole | null }) {
  return (
    <div className="flex flex-wrap gap-1">
      {hosts.length === 0 ? (
        <Badge tone="red" title="Stored before host restrictions: it is sent nowhere until its allowed hosts are set">
          Locked: set allowed hosts
        </Badge>
      ) : hosts.includes(ANY_HOST) ? (
        <Badge tone="amber" title="Anyone who can edit a workflow can send this secret to any server">
          Any host
        </Badge>
      ) : (
        hosts.map((host) => (
          <Badge key={host} tone="blue">
            {host}
          </Badge>
        ))
      )}
      {minRole && minRole !== "editor" ? <Badge tone="grey">{minRole}+</Badge> : null}
    </div>
  );
}

const useHref = (use: SecretUseRow) => (use.kind === "workflow" ? `/workflows/${use.id}` : use.kind === "version" ? null : "/tools");
const KIND_LABEL: Record<SecretUseRow["kind"], string> = { workflow: "Workflow", version: "Published", tool: "Tool", source: "Tool source" };

/** "Used by": workflow drafts (with their nodes), published versions, tools and tool sources. */
export function UsedByCell({ uses }: { uses: SecretUseRow[] }) {
  if (uses.length === 0) return <span className="text-xs text-muted-foreground">Not used</span>;
  return (
    <ul className="space-y-0.5 text-xs">
      {uses.map((use) => {
        const href = useHref(use);
        const nodes = use.nodeIds?.length ? ` (${use.nodeIds.join(", ")})` : "";
        return (
          <li key={`${use.kind}:${use.id}`}>
            <span className="text-muted-foreground">{KIND_LABEL[use.kind]}: </span>
            {href ? (
              <Link href={href} className="underline">
                {use.name}
              </Link>
            ) : (
              use.name
            )}
            <span className="text-muted-foreground">{nodes}</span>
          </li>
        );
      })}
    </ul>
  );
}

/** The hosts textarea and the role picker; read-only for members who may not change them. */
export function PolicyFields(props: {
  hostsText: string;
  onHostsText: (text: string) => void;
  minRole: SecretRole | null;
  onMinRole: (role: SecretRole | null) => void;
  disabled: boolean;
}) {
  return (
    <>
      <div className="space-y-1.5">
        <Label htmlFor="secret-hosts">Allowed hosts</Label>
        <Textarea
          id="secret-hosts"
          rows={3}
          value={props.hostsText}
          disabled={props.disabled}
          placeholder={"api.example.com\n*.example.org\n10.0.0.5:8443"}
          className="font-mono text-xs"
          onChange={(e) => props.onHostsText(e.target.value)}
        />
        <p className="text-xs text-muted-foreground">
          One per line: a host (any port), host:port, or *.domain for its subdomains. Runs refuse to send the secret anywhere else. * allows any host.
          {props.disabled ? " Only the secret's creator or an admin can change this." : ""}
        </p>
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="secret-role">Who may use it</Label>
        <Select value={props.minRole && props.minRole !== "editor" ? props.minRole : "any"} onValueChange={(v) => props.onMinRole(v === "any" ? null : (v as SecretRole))} disabled={props.disabled}>
          <SelectTrigger id="secret-role" aria-label="Who may use it">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {ROLE_CHOICES.map((choice) => (
              <SelectItem key={choice.value} value={choice.value}>
                {choice.label}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <p className="text-xs text-muted-foreground">A run may use the secret only when the member who started it has this role; saving a workflow that adds it needs the role too.</p>
      </div>
    </>
  );
}
