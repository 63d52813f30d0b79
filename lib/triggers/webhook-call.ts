import { randomUUID } from "node:crypto";
import { authenticateApiKey } from "@/lib/api-keys/authenticate";
import { apiError } from "@/lib/api/errors";
import { DEFAULT_SYNC_TIMEOUT_MS, TERMINAL_RUN_STATUSES } from "@/lib/api/schemas";
import { waitForRunEnd, watchRunEnd, type RunEndWatch } from "@/lib/api/wait";
import type { Member } from "@/lib/auth/member";
import { can } from "@/lib/auth/permissions";
import { RouteIdSchema } from "@/lib/http/route";
import { declaredInputs } from "@/lib/engine/inputs";
import { env } from "@/lib/env";
import { latestPublishedGraph } from "@/lib/api/workflows";
import { nodeRegistry } from "@/lib/nodes/registry";
import { decryptSecret } from "@/lib/secrets/crypto";
import { flushEarlierCommits } from "@/lib/runs/run-insert";
import { startTriggeredRun } from "./start";
import { findCalledHook, type CalledHook } from "./webhook-sql";
import { BodyProblem, bodyKindOf, jsonInputs, readBodyLimited, textInputs } from "./webhook-body";
import { admitAddress, admitHook } from "./webhook-limits";
import { verifyWebhookSignature } from "./webhook-signature";

/**
 * One call of POST (or GET) /api/hooks/{publicId}, in the order that reveals least: the address's
 * rate limit, the declared size, the hook (unknown, disabled or orphaned: 404, the same answer),
 * the hook's rate limit, the content type (415), the body within the limit (413), the signature or
 * API key (401), the inputs (400 naming the fields), then the run (202, or in sync mode 200 /
 * 500 failed / 409 cancelled / 504 still going).
 */

const NOT_FOUND = () => apiError(404, "not_found", "No webhook here.");
const problem = (p: BodyProblem): Response => apiError(p.status, p.code, p.message);
const tooMany = (retryAfterSeconds: number) =>
  apiError(429, "rate_limited", "Too many calls to this webhook; try again later.", {}, { "Retry-After": String(retryAfterSeconds) });

/** An Idempotency-Key: 1 to 255 visible ASCII characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

type Hook = CalledHook;

export async function handleWebhookCall(request: Request, publicId: string): Promise<Response> {
  const limited = await admitAddress(request);
  if (limited) return tooMany(limited.retryAfterSeconds);
  if (!RouteIdSchema.safeParse(publicId).success) return NOT_FOUND();
  const maxBytes = env().WEFT_WEBHOOK_MAX_BODY_BYTES;
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > maxBytes) return apiError(413, "payload_too_large", `The request body is larger than ${maxBytes} bytes.`);
  const hook = await findCalledHook(publicId);
  if (!hook || !hook.enabled) return NOT_FOUND();
  const hookLimited = await admitHook(hook.id);
  if (hookLimited) return tooMany(hookLimited.retryAfterSeconds);
  const kind = request.method === "GET" ? "none" : bodyKindOf(request);
  if (kind instanceof BodyProblem) return problem(kind);
  const raw = await readBodyLimited(request, maxBytes);
  if (raw instanceof BodyProblem) return problem(raw);
  const member = await authorize(request, hook, raw);
  if (member instanceof Response) return member;
  const inputs = await readInputs(request, kind, raw, hook);
  if (inputs instanceof BodyProblem) return problem(inputs);
  const key = request.headers.get("idempotency-key");
  if (key !== null && !IDEMPOTENCY_KEY.test(key)) return apiError(400, "invalid_request", "Idempotency-Key must be 1 to 255 visible ASCII characters.");
  return start(request, hook, member, inputs, key);
}

/** The member the run acts as, or the 401/404 answer. */
async function authorize(request: Request, hook: Hook, raw: Uint8Array): Promise<{ member: Member; apiKey?: { id: string; name: string } } | Response> {
  if (hook.authMode === "api_key") {
    const caller = await authenticateApiKey(request.headers, "run.start");
    // A key of another workspace is as wrong as no key: the hook's workspace is not revealed.
    if ("status" in caller || caller.workspaceId !== hook.workspaceId) {
      return apiError(401, "unauthorized", "Send a Weft API key of this workspace with the runs:write scope as Authorization: Bearer weft_….", {}, { "WWW-Authenticate": 'Bearer realm="weft"' });
    }
    return { member: caller.member, apiKey: { id: caller.keyId, name: caller.keyName } };
  }
  if (hook.authMode === "hmac") {
    const check = hook.secretCipher ? verifyWebhookSignature(decryptSecret(hook.secretCipher), request.headers, raw, hook.toleranceSeconds) : { ok: false as const, reason: "No secret." };
    if (!check.ok) return apiError(401, "invalid_signature", check.reason);
  }
  // The creator acts with their role now; a hook whose creator left or may no longer run workflows is dead (404, like an unknown id).
  const member = hook.creator;
  return member && can(member.role, "run.start") ? { member } : NOT_FOUND();
}

/**
 * The body (JSON or form), or for a request without one the query string, as raw inputs. Text
 * values need the Start inputs' types, read from the published version (JSON needs nothing more).
 */
async function readInputs(request: Request, kind: "json" | "form" | "none", raw: Uint8Array, hook: Hook): Promise<Record<string, unknown> | BodyProblem> {
  if (kind === "json") return jsonInputs(raw);
  // The query string is not signed: a signed hook takes its inputs from the body only.
  if (kind === "none" && hook.authMode === "hmac") return {};
  const graph = await latestPublishedGraph(hook.workspaceId, hook.workflowId).catch(() => null);
  const declared = (graph && declaredInputs(graph, nodeRegistry)) ?? [];
  const params = kind === "form" ? new URLSearchParams(new TextDecoder().decode(raw)) : new URL(request.url).searchParams;
  return textInputs(params, declared);
}

async function start(request: Request, hook: Hook, actor: { member: Member; apiKey?: { id: string; name: string } }, inputs: Record<string, unknown>, key: string | null): Promise<Response> {
  const origin = {
    trigger: "webhook" as const,
    triggerRefId: hook.id,
    triggerRefName: hook.name,
    triggerKey: key,
    apiKeyId: actor.apiKey?.id ?? null,
    apiKeyName: actor.apiKey?.name ?? null,
  };
  if (hook.mode !== "sync") {
    const { runId } = await startTriggeredRun(actor.member, hook.workflowId, inputs, origin);
    return Response.json({ runId }, { status: 202, headers: { "X-Weft-Run-Id": runId } });
  }
  // Watch the run's end before it exists, so no event is missed (lib/api/wait.ts).
  const runId = randomUUID();
  let watch: RunEndWatch | undefined = await watchRunEnd(runId);
  let started;
  try {
    started = await startTriggeredRun(actor.member, hook.workflowId, inputs, origin, runId, { answersAfterEnd: true });
  } catch (error) {
    watch.close();
    throw error;
  }
  if (started.existing) {
    watch.close();
    watch = undefined;
  }
  const run = await waitForRunEnd(hook.workspaceId, started.runId, hook.syncTimeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS, request.signal, watch);
  const headers = { "X-Weft-Run-Id": started.runId };
  if (!run || !TERMINAL_RUN_STATUSES.includes(run.status)) {
    // Told of a run that has not ended: its row, inserted unflushed, must be on disk first.
    await flushEarlierCommits();
    return apiError(504, "timeout", `The run did not finish within ${hook.syncTimeoutMs} ms; it goes on. Its id is ${started.runId}.`, { runId: started.runId }, headers);
  }
  return Response.json({ runId: started.runId, status: run.status, output: run.output, ...(run.error ? { error: run.error } : {}) }, { status: SYNC_STATUS[run.status] ?? 500, headers });
}

/**
 * The HTTP status of a sync answer by the run's end, as n8n answers a webhook whose workflow
 * failed (500): a caller that looks only at the status (curl --fail, a retrying sender) sees the
 * failure. The body is the same in every case: run id, status, output and the run's error.
 */
const SYNC_STATUS: Record<string, number> = { succeeded: 200, failed: 500, cancelled: 409 };
