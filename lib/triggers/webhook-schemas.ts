import { z } from "zod";

/** How a webhook call proves it may start a run (docs/channels.md, "Webhooks and schedules"). */
export const WEBHOOK_AUTH_MODES = ["none", "hmac", "api_key"] as const;
export const WEBHOOK_MODES = ["async", "sync"] as const;

/** The sync answer waits at most this long (the HTTP client's own timeout is usually shorter). */
export const MAX_WEBHOOK_SYNC_TIMEOUT_MS = 300_000;

export const CreateWebhookSchema = z.strictObject({
  name: z.string().trim().min(1, "Give the webhook a name").max(120),
  authMode: z.enum(WEBHOOK_AUTH_MODES).default("hmac"),
  /** Seconds X-Weft-Timestamp may differ from the server's clock (hmac only). */
  toleranceSeconds: z.number().int().min(10).max(86_400).default(300),
  mode: z.enum(WEBHOOK_MODES).default("async"),
  syncTimeoutMs: z.number().int().min(1_000).max(MAX_WEBHOOK_SYNC_TIMEOUT_MS).default(30_000),
});

export const UpdateWebhookSchema = z.strictObject({
  name: CreateWebhookSchema.shape.name.optional(),
  enabled: z.boolean().optional(),
  toleranceSeconds: z.number().int().min(10).max(86_400).optional(),
  mode: z.enum(WEBHOOK_MODES).optional(),
  syncTimeoutMs: z.number().int().min(1_000).max(MAX_WEBHOOK_SYNC_TIMEOUT_MS).optional(),
});

export interface WebhookView {
  id: string;
  workflowId: string;
  name: string;
  /** The path to call: /api/hooks/{publicId}. */
  path: string;
  authMode: (typeof WEBHOOK_AUTH_MODES)[number];
  toleranceSeconds: number;
  mode: (typeof WEBHOOK_MODES)[number];
  syncTimeoutMs: number;
  enabled: boolean;
  createdAt: string;
}
