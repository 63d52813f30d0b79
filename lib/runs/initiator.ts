import { z } from "zod";

/**
 * Who and what started a run. Every path that creates a run records a trigger and, when there is
 * one, the API key (`apiKeyId` + the key's name at the time, kept after the key is deleted). The
 * member (`createdById`) is the person who clicked, or for an API run the key's creator (the role
 * the key acts with); sub-workflow and tool runs inherit their parent run's initiator.
 */

/** Stored as text so new kinds (schedule, webhook, chat) need no migration; zod checks what is written and filtered. */
export const RUN_TRIGGERS = ["editor", "api", "rerun", "resume", "subworkflow", "tool", "openai", "mcp", "webhook", "schedule", "chat"] as const;
export const RunTriggerSchema = z.enum(RUN_TRIGGERS);
export type RunTrigger = z.infer<typeof RunTriggerSchema>;

/** What a new run records about its start (besides the member who acts, `createdById`). */
export interface RunOrigin {
  trigger: RunTrigger;
  apiKeyId?: string | null;
  apiKeyName?: string | null;
  /** The webhook or schedule that started it, and its name now (kept after it is deleted). */
  triggerRefId?: string | null;
  triggerRefName?: string | null;
  /** At most one run per (triggerRefId, triggerKey): an Idempotency-Key, a schedule fire's time. */
  triggerKey?: string | null;
  /** The anonymous visitor of a chat app open to anyone with the link (lib/chat). */
  visitorId?: string | null;
}

/** The initiator as the runs list, the run page and the public API show it. */
export const RunInitiatorSchema = z.object({
  kind: z.enum(["user", "api_key", "webhook", "schedule", "visitor"]),
  id: z.string(),
  name: z.string().describe("The member's name, or the API key's, webhook's or schedule's name when the run started (kept after it is deleted)"),
});
export type RunInitiator = z.infer<typeof RunInitiatorSchema>;

/** The columns a read selects to build the initiator (the user's name comes from a join). */
export interface InitiatorColumns {
  createdById: string | null;
  createdByName: string | null;
  apiKeyId: string | null;
  apiKeyName: string | null;
  trigger?: string;
  triggerRefId?: string | null;
  triggerRefName?: string | null;
  visitorId?: string | null;
}

/** The webhook or schedule that started the run; else the API key when there is one (the person behind it is its creator, not who started the run), else the member. */
export function initiatorOf(row: InitiatorColumns): RunInitiator | null {
  if (row.triggerRefId && (row.trigger === "webhook" || row.trigger === "schedule")) {
    return { kind: row.trigger, id: row.triggerRefId, name: row.triggerRefName ?? `deleted ${row.trigger}` };
  }
  if (row.apiKeyId) return { kind: "api_key", id: row.apiKeyId, name: row.apiKeyName ?? "deleted key" };
  if (row.visitorId) return { kind: "visitor", id: row.visitorId, name: row.visitorId.slice(0, 8) };
  if (row.createdById) return { kind: "user", id: row.createdById, name: row.createdByName ?? "Former member" };
  return null;
}

const INITIATOR_LABELS = { api_key: "API key", webhook: "Webhook", schedule: "Schedule", visitor: "Visitor" } as const;
const TRIGGER_LABELS: Record<string, string> = { subworkflow: "sub-workflow", openai: "OpenAI endpoint", mcp: "MCP" };

/** "Ada Lovelace · editor", "API key ‘billing-prod’ · v3", "Ada Lovelace · sub-workflow · v2". */
export function describeInitiator(initiator: RunInitiator | null, trigger: string, version: number | null): string {
  const who = !initiator ? "Unknown" : initiator.kind === "user" ? initiator.name : `${INITIATOR_LABELS[initiator.kind]} ‘${initiator.name}’`;
  const how = trigger === "api" || trigger === initiator?.kind ? null : (TRIGGER_LABELS[trigger] ?? trigger);
  return [who, how, version !== null ? `v${version}` : null].filter(Boolean).join(" · ");
}
