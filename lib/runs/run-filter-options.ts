import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { RUN_TRIGGERS } from "./initiator";

/** What the run filters offer to pick from: the workspace's workflows, people, API keys and currencies. */
export interface RunFilterOptions {
  workflows: { id: string; name: string; versions: number[] }[];
  /** `value` is the `initiator` filter: user:<id>, key:<id>, webhook:<id> or schedule:<id>. */
  initiators: { value: string; label: string }[];
  triggers: readonly string[];
  /** Currencies the workspace's model prices use (USD first when nothing is priced). */
  currencies: string[];
}

export async function runFilterOptions(member: Member): Promise<RunFilterOptions> {
  const workspaceId = member.workspaceId;
  const [workflows, members, keys, providers, webhooks, schedules] = await Promise.all([
    db().workflow.findMany({
      where: { workspaceId },
      orderBy: { name: "asc" },
      select: { id: true, name: true, versions: { orderBy: { version: "desc" }, select: { version: true } } },
    }),
    db().membership.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { user: { select: { id: true, name: true, email: true } } } }),
    // Revoked keys too: their runs stay searchable.
    db().apiKey.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { id: true, name: true, revokedAt: true } }),
    db().modelProvider.findMany({ where: { workspaceId }, select: { modelInfo: true } }),
    db().webhook.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { id: true, name: true } }),
    db().schedule.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { id: true, name: true } }),
  ]);
  const currencies = new Set<string>(["USD"]);
  for (const provider of providers) {
    for (const info of Object.values((provider.modelInfo ?? {}) as Record<string, { currency?: unknown }>)) {
      if (typeof info?.currency === "string" && /^[A-Z]{3}$/.test(info.currency)) currencies.add(info.currency);
    }
  }
  return {
    workflows: workflows.map((w) => ({ id: w.id, name: w.name, versions: w.versions.map((v) => v.version) })),
    initiators: [
      ...members.map(({ user }) => ({ value: `user:${user.id}`, label: `${user.name} (${user.email})` })),
      ...keys.map((key) => ({ value: `key:${key.id}`, label: `API key ‘${key.name}’${key.revokedAt ? " (revoked)" : ""}` })),
      ...webhooks.map((hook) => ({ value: `webhook:${hook.id}`, label: `Webhook ‘${hook.name}’` })),
      ...schedules.map((schedule) => ({ value: `schedule:${schedule.id}`, label: `Schedule ‘${schedule.name}’` })),
    ],
    triggers: RUN_TRIGGERS,
    currencies: [...currencies].sort(),
  };
}
