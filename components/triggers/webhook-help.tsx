"use client";

import type { WebhookView } from "@/lib/triggers/webhook-schemas";

/** The curl line and, for signed hooks, how to sign: what a developer needs to call the URL. */
export function WebhookHelp({ webhook, origin, secret }: { webhook: WebhookView; origin: string; secret: string | null }) {
  const url = `${origin}${webhook.path}`;
  const body = `'{"field":"value"}'`;
  const curl =
    webhook.authMode === "hmac"
      ? [
          `SECRET='${secret ?? "whsec_…"}'`,
          `BODY=${body}`,
          `TS=$(date +%s)`,
          `SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')`,
          `curl -X POST '${url}' -H 'Content-Type: application/json' \\`,
          `  -H "X-Weft-Timestamp: $TS" -H "X-Weft-Signature: sha256=$SIG" -d "$BODY"`,
        ].join("\n")
      : webhook.authMode === "api_key"
        ? `curl -X POST '${url}' -H 'Content-Type: application/json' \\\n  -H 'Authorization: Bearer weft_…' -d ${body}`
        : `curl -X POST '${url}' -H 'Content-Type: application/json' -d ${body}`;
  return (
    <div className="grid gap-2 text-xs">
      <code className="break-all rounded bg-zinc-100 px-2 py-1" data-testid="webhook-url">
        {url}
      </code>
      <pre className="overflow-x-auto rounded bg-zinc-900 p-2 text-zinc-100" data-testid="webhook-curl">
        {curl}
      </pre>
      <p className="text-muted-foreground">
        The JSON (or form) body&apos;s fields are the workflow&apos;s Start inputs.{" "}
        {webhook.authMode === "hmac"
          ? `Sign with X-Weft-Timestamp (Unix seconds, within ${webhook.toleranceSeconds} s) and X-Weft-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body)).`
          : webhook.authMode === "api_key"
            ? "Send an API key of this workspace with the runs:write scope."
            : "Anyone with the URL can start runs: keep it secret."}{" "}
        {webhook.mode === "sync" ? `Answers 200 with the End output, 500 with the error when the run failed (504 after ${webhook.syncTimeoutMs / 1000} s).` : "Answers 202 with the run id."} An
        Idempotency-Key header starts one run per key.
      </p>
    </div>
  );
}
