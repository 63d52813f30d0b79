import { randomUUID } from "node:crypto";
import type { ApiCaller } from "@/lib/api-keys/authenticate";
import { runAnswer } from "@/lib/channels/run-answer";
import { waitForRunEnd, watchRunEnd } from "../wait";
import { openAiError } from "./errors";
import type { ChatCompletion } from "./schemas";
import { completionId, unixSeconds, type ChatRunPlan } from "./start";

/** How long a non-streaming completion waits for its run (OpenAI clients wait 10 minutes by default). */
export const COMPLETION_TIMEOUT_MS = 5 * 60_000;

/**
 * A non-streaming completion: the run's end is watched before the run exists (as the v1 sync mode
 * does), then the finished run comes with its end message (or is read once); its answer is the
 * message (the chat's rule: the Answer nodes' texts, else the End output; lib/channels/run-answer.ts),
 * its LLM steps' tokens the usage.
 */
export async function completeChat(request: Request, caller: ApiCaller, plan: ChatRunPlan, model: string): Promise<Response> {
  const runId = randomUUID();
  const watch = await watchRunEnd(runId);
  try {
    await plan.start(runId, { endView: true });
  } catch (error) {
    watch.close();
    throw error;
  }
  const run = await waitForRunEnd(caller.workspaceId, runId, COMPLETION_TIMEOUT_MS, request.signal, watch);
  const headers = { "X-Weft-Run-Id": runId };
  if (!run || run.status !== "succeeded") {
    const response = run?.status === "failed" || run?.status === "cancelled"
      ? openAiError(500, `The workflow run ${runId} ${run.status}${run.error?.message ? `: ${run.error.message}` : "."}`, `run_${run.status}`)
      : openAiError(504, `The workflow run ${runId} has not finished (${run?.status ?? "queued"}); follow it at /api/v1/runs/${runId}.`, "run_not_finished");
    response.headers.set("X-Weft-Run-Id", runId);
    return response;
  }
  const content = await runAnswer(plan.graph, runId, run.output);
  const completion: ChatCompletion = {
    id: completionId(runId),
    object: "chat.completion",
    created: unixSeconds(run.createdAt),
    model,
    choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, finish_reason: "stop", logprobs: null }],
    usage: { prompt_tokens: run.usage.promptTokens, completion_tokens: run.usage.completionTokens, total_tokens: run.usage.totalTokens },
  };
  return Response.json(completion, { headers });
}
