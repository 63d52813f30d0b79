import { z } from "zod";
import { errorResponse, json, type OpenApiDocument, type OpenApiOperation } from "./openapi";
import { RunErrorSchema, apiSchemas } from "./schemas";

/**
 * The webhook trigger, /api/hooks/{id}, in the OpenAPI document (lib/api/openapi.ts). It is not
 * under /api/v1 and needs no API key unless the hook says so: each webhook chooses its own
 * authentication (an HMAC signature, an API key, or the unguessable URL alone) and its answer
 * (async or sync). docs/channels.md, "Webhooks", is the reference; lib/triggers/webhook-call.ts the code.
 */

export const WebhookAcceptedSchema = z
  .object({ runId: z.string() })
  .register(apiSchemas, { id: "WebhookAccepted", description: "An async webhook's answer: the run was started (or, for a repeated Idempotency-Key, had been)." });

export const WebhookRunResultSchema = z
  .object({
    runId: z.string(),
    status: z.enum(["succeeded", "failed", "cancelled"]),
    output: z.record(z.string(), z.unknown()).nullable().describe("The End node's output (null when the run did not succeed)"),
    error: RunErrorSchema.optional().describe("Why the run failed"),
  })
  .register(apiSchemas, { id: "WebhookRunResult", description: "A sync webhook's answer once the run has ended: the same body for 200 (succeeded), 500 (failed) and 409 (cancelled)." });

/** Built when called: this module and openapi.ts import each other. */
export function hookPaths(): OpenApiDocument["paths"] {
  const runIdHeader = { "X-Weft-Run-Id": { description: "The run's id", schema: { type: "string" } } };
  const result = (description: string) => ({ description, headers: runIdHeader, content: json(WebhookRunResultSchema) });
  const parameters: NonNullable<OpenApiOperation["parameters"]> = [
    { name: "id", in: "path", required: true, description: "The webhook's public id (43 base64url characters, shown with the webhook)", schema: { type: "string" } },
    {
      name: "X-Weft-Timestamp",
      in: "header",
      required: false,
      description: "hmac webhooks: the Unix time of the call in seconds; refused when further from the server's clock than the webhook's tolerance (default 300 s).",
      schema: { type: "string", pattern: "^[0-9]+$" },
    },
    {
      name: "X-Weft-Signature",
      in: "header",
      required: false,
      description: 'hmac webhooks: `sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>` with the webhook\'s secret (whsec_…).',
      schema: { type: "string", pattern: "^sha256=[0-9a-f]{64}$" },
    },
    {
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description: "Starts at most one run per key and webhook; a repeat (also a concurrent one) answers with the same run (sync: the same output).",
      schema: { type: "string", minLength: 1, maxLength: 255 },
    },
  ];
  const responses: OpenApiOperation["responses"] = {
    "200": result("sync: the run succeeded; `output` is its End output"),
    "202": { description: "async: the run was started", headers: runIdHeader, content: json(WebhookAcceptedSchema) },
    "400": errorResponse("Malformed JSON, a body that is not an object, a malformed Idempotency-Key (invalid_request), or inputs the Start node refuses (invalid_input, with problems: [{ field, message }])"),
    "401": errorResponse("hmac: a missing or wrong signature, or a timestamp outside the tolerance (invalid_signature); api_key: no key, or not a key of this workspace with runs:write (unauthorized)"),
    "402": errorResponse("The workspace's or the workflow's monthly budget is spent (budget_exhausted)"),
    "404": errorResponse("No enabled webhook with this id (the same answer whatever the reason)"),
    "409": result("sync: the run was cancelled"),
    "413": errorResponse("The body is larger than the limit (WEFT_WEBHOOK_MAX_BODY_BYTES) (payload_too_large)"),
    "415": errorResponse("Another content type than JSON or a form"),
    "429": { ...errorResponse("Too many calls to this webhook, or from this address (rate_limited)"), headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "string" } } } },
    "500": result("sync: the run failed; `error` says why (as n8n answers a webhook whose workflow failed)"),
    "504": { ...errorResponse("sync: the run did not end within the webhook's sync timeout (timeout, with runId); it goes on"), headers: runIdHeader },
  };
  const common = {
    tags: ["webhooks"],
    // The webhook decides: its URL alone, an HMAC signature (the headers below), or an API key as a bearer token.
    security: [{}, { bearer: [] }] as OpenApiOperation["security"],
    responses,
  };
  const objectBody = (description: string) => ({ type: "object", additionalProperties: true, description });
  return {
    "/api/hooks/{id}": {
      post: {
        operationId: "callWebhook",
        summary: "Call a webhook: start a run of its published workflow",
        description: [
          "Starts a run of the webhook's workflow (its latest published version) with the body's fields as Start inputs, typed as declared.",
          "The webhook's settings decide how the call is authenticated — `hmac` (X-Weft-Timestamp and X-Weft-Signature over the raw body), `api_key` (`Authorization: Bearer weft_…`, a key of the workspace with runs:write) or `none` —",
          "and how it is answered: `async` 202 with the run id at once, or `sync` once the run has ended (200 succeeded, 500 failed, 409 cancelled, each with the run id, status, output and error) or 504 after its sync timeout.",
          "The run records the trigger `webhook` and the webhook.",
        ].join(" "),
        parameters,
        requestBody: {
          required: false,
          content: {
            "application/json": { schema: objectBody("The Start inputs (also accepted as any application/*+json)") },
            "application/x-www-form-urlencoded": { schema: { type: "object", additionalProperties: { type: "string" }, description: "The Start inputs as text, converted to the declared types (numbers, true/false, JSON for objects and arrays)" } },
          },
        },
        ...common,
      },
      get: {
        operationId: "callWebhookWithQuery",
        summary: "Call a webhook with the inputs in the query string",
        description: "As POST, with the query string's parameters as the Start inputs (text converted to the declared types). Not for hmac webhooks, whose inputs must be signed: send them in a POST body.",
        parameters: [
          ...parameters.filter((p) => p.name !== "X-Weft-Timestamp" && p.name !== "X-Weft-Signature"),
          { name: "inputs", in: "query", required: false, description: "One query parameter per Start input", schema: { type: "object", additionalProperties: { type: "string" } }, style: "form", explode: true },
        ],
        ...common,
      },
    },
  };
}
