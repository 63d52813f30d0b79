import { ChatCompletionRequestSchema, ChatCompletionSchema, OpenAiErrorSchema, OpenAiModelListSchema, OpenAiModelSchema } from "./openai/schemas";
import { idOf, json, operation, type OpenApiDocument, type OpenApiOperation } from "./openapi";

/** The /api/v1/openai paths of the OpenAPI document (lib/api/openapi.ts): OpenAI's wire format over published workflows. */

export const OPENAI_REQUEST_IDS = () => [idOf(ChatCompletionRequestSchema)];

const openAiError = (description: string) => ({ description, content: json(OpenAiErrorSchema) });

const MAPPING = [
  "`model` is a published workflow's slug (its latest version), or `slug@version`.",
  "The last `user` message becomes the Start input `message` if the Start node declares one, else its first text input;",
  "the messages before it become the Start input `history` when declared (an array input gets `[{ role, content }]`, a text input gets `role: content` lines).",
  "The answer is the End output `answer`, else `text`, else the only output. Fields such as `temperature` are accepted and ignored: the workflow decides.",
  "Errors have OpenAI's shape `{ error: { message, type, param, code } }`.",
].join(" ");

/** The scope's operation, with OpenAI-shaped auth errors instead of Weft's. */
function openAiOperation(scope: "workflows:read" | "runs:write", op: Parameters<typeof operation>[1]): OpenApiOperation {
  const built = operation(scope, op);
  return {
    ...built,
    responses: {
      ...built.responses,
      "401": openAiError("No API key, or an unknown, revoked or disabled one (code invalid_api_key)"),
      "403": openAiError(`The key lacks the ${scope} scope, or its creator's role no longer allows it (type permission_error)`),
    },
  };
}

/** Built when called: this module and openapi.ts import each other. */
export function openAiPaths(): OpenApiDocument["paths"] {
  const modelNotFound = openAiError("No published workflow with this slug (or version) in the key's workspace (code model_not_found)");
  return {
    "/api/v1/openai/chat/completions": {
      post: openAiOperation("runs:write", {
        operationId: "createChatCompletion",
        summary: "OpenAI-compatible chat completion",
        description: [
          MAPPING,
          "`stream: true` answers with Server-Sent Events of `chat.completion.chunk` objects (the workflow's LLM tokens as they arrive) ending with `data: [DONE]`;",
          "`stream_options.include_usage` adds a last chunk with the run's token usage. A run that fails ends the stream with a `data: { error }` event.",
          "Runs record the trigger `openai` and the API key; the `X-Weft-Run-Id` header names the run.",
        ].join(" "),
        tags: ["openai"],
        requestBody: { required: true, content: json(ChatCompletionRequestSchema) },
        responses: {
          "200": {
            description: "The completion, or (stream) the chunk stream",
            content: { ...json(ChatCompletionSchema), "text/event-stream": { schema: { type: "string", description: "`data: <chat.completion.chunk JSON>` lines, then `data: [DONE]`" } } },
          },
          "400": openAiError("Invalid body, no user message, or inputs the Start node refuses (type invalid_request_error)"),
          "404": modelNotFound,
          "500": openAiError("The workflow run failed or was cancelled (code run_failed / run_cancelled); not retried by OpenAI clients"),
          "504": openAiError("The run has not finished within 5 minutes (code run_not_finished); it continues, follow it at /api/v1/runs/{id}"),
        },
      }),
    },
    "/api/v1/openai/models": {
      get: openAiOperation("workflows:read", {
        operationId: "listOpenAiModels",
        summary: "OpenAI-compatible model list",
        description: "The workspace's published workflows as models: `id` is the slug, `created` when the latest version was published.",
        tags: ["openai"],
        responses: { "200": { description: "The models", content: json(OpenAiModelListSchema) } },
      }),
    },
    "/api/v1/openai/models/{model}": {
      get: openAiOperation("workflows:read", {
        operationId: "getOpenAiModel",
        summary: "OpenAI-compatible model",
        description: "One published workflow as a model.",
        tags: ["openai"],
        parameters: [{ name: "model", in: "path", required: true, description: "The workflow's slug", schema: { type: "string" } }],
        responses: { "200": { description: "The model", content: json(OpenAiModelSchema) }, "404": modelNotFound },
      }),
    },
  };
}
