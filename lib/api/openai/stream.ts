import type { ApiCaller } from "@/lib/api-keys/authenticate";
import { answerText } from "@/lib/channels/chat-io";
import type { RunEvent } from "@/lib/engine/run-ports";
import { cancelRunForApi } from "@/lib/runs/cancel";
import { followRun } from "@/lib/runs/follow";
import { getRunView } from "../runs";
import { liveSseStream, sseResponse } from "../run-stream";
import { TERMINAL_RUN_STATUSES, type RunView } from "../schemas";
import { completionId, unixSeconds, type ChatRunPlan } from "./start";

type RunEnd = { status: string; output?: unknown; error?: { message?: string } | null };

/**
 * A streaming completion: `chat.completion.chunk` events and `data: [DONE]`, built on the run
 * follower every other stream uses (lib/runs/follow.ts). Token `delta`s of the nodes whose text is
 * the answer (ChatRunPlan.sources) are sent as they arrive (a running step's text so far comes from
 * the snapshot); when the run succeeds, whatever of the End output was not streamed yet is sent,
 * so the content always adds up to the answer. A failed, cancelled or waiting run ends with an
 * OpenAI-style `{ error }` event, which the official clients raise. A client that goes away before
 * the end cancels the run.
 */
export async function streamChat(request: Request, caller: ApiCaller, plan: ChatRunPlan, model: string, includeUsage: boolean): Promise<Response> {
  const { runId } = await plan.start();
  let ending = false;
  // A client that stops reading ("stop generating") stops the run too, as closing an OpenAI stream stops the model.
  request.signal.addEventListener("abort", () => {
    if (!ending) void cancelRunForApi(caller, runId).catch(() => undefined);
  });
  const created = unixSeconds();
  const base = { id: completionId(runId), object: "chat.completion.chunk", created, model };

  const stream = liveSseStream(request.signal, (io) => {
    let streamed = "";
    const write = (data: unknown) => io.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
    const content = (text: string) => {
      if (!text) return;
      streamed += text;
      write({ ...base, choices: [{ index: 0, delta: { content: text }, finish_reason: null, logprobs: null }] });
    };
    const finish = async (end: RunEnd) => {
      if (end.status === "succeeded") {
        const answer = answerText(end.output);
        content(answer.startsWith(streamed) ? answer.slice(streamed.length) : "");
        write({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop", logprobs: null }] });
        if (includeUsage) write({ ...base, choices: [], usage: await usageOf(caller.workspaceId, runId) });
      } else {
        const why = end.status === "waiting" ? "is waiting for an answer (approval or question) in Weft" : end.status;
        write({ error: { message: `The workflow run ${runId} ${why}${end.error?.message ? `: ${end.error.message}` : "."}`, type: "server_error", param: null, code: `run_${end.status}` } });
      }
    };
    const onEnd = (end: RunEnd) => {
      if (ending) return;
      ending = true;
      void finish(end)
        .catch(() => undefined)
        .finally(() => {
          write("[DONE]");
          io.close();
        });
    };
    write({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null, logprobs: null }] });
    return followRun<RunView>(runId, {
      load: () => getRunView(caller.workspaceId, runId),
      steps: (view) => view.steps,
      onSnapshot: (view, partials) => {
        if (!view) return onEnd({ status: "failed", error: { message: "the run disappeared" } });
        for (const step of view.steps) if (plan.sources.has(step.nodeId)) content(partials.get(`${step.nodeId}:${step.iteration}`) ?? "");
        if (TERMINAL_RUN_STATUSES.includes(view.status) || view.status === "waiting") onEnd(view);
      },
      onEvent: (event: RunEvent) => {
        if (event.type === "delta" && plan.sources.has(event.nodeId)) content(event.text);
        if (event.type === "run" && (TERMINAL_RUN_STATUSES.includes(event.status) || event.status === "waiting")) onEnd(event);
      },
    });
  });
  return sseResponse(stream, { "X-Weft-Run-Id": runId });
}

async function usageOf(workspaceId: string, runId: string) {
  const run = await getRunView(workspaceId, runId);
  const usage = run?.usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.totalTokens };
}
