import { randomUUID } from "node:crypto";
import type { ApiCaller } from "@/lib/api-keys/authenticate";
import { runAnswer } from "@/lib/channels/run-answer";
import { followTurn, type TurnEnd } from "@/lib/chat/turn-follower";
import { cancelRunForApi } from "@/lib/runs/cancel";
import { subscribeBeforeCreate } from "@/lib/runs/follow";
import { getRunView } from "../runs";
import { answerContent } from "./answer-content";
import { liveSseStream, sseResponse, type LiveSseWriter } from "../run-stream";
import { completionId, unixSeconds, type ChatRunPlan } from "./start";

/**
 * A streaming completion: `chat.completion.chunk` events and `data: [DONE]`, built on the chat's
 * turn follower (lib/chat/turn-follower.ts, on the run follower every other stream uses), so a
 * chat app streams to an OpenAI client what it says in the chat: each Answer node's text as it is
 * published, those of its sub-workflow runs at any depth included, in the order they spoke, joined
 * as the chat joins them (lib/chat/turn-answer.ts); an Answer that opens with an LLM's text is
 * streamed token by token as the LLM writes it (answer-content.ts). A workflow without Answer nodes
 * streams the token `delta`s of the nodes whose text is the End's answer (ChatRunPlan.sources; a
 * running step's text so far comes from the snapshot). When the run succeeds, whatever of the
 * answer (runAnswer, the non-streaming content) was not streamed yet is sent, so the content adds
 * up to it whenever what was streamed is a beginning of it. A
 * failed or cancelled run, or one whose every run waits for a person (approval or question), ends
 * with an OpenAI-style `{ error }` event, which the official clients raise; a run that waits for
 * its sub-workflow runs goes on streaming. A client that goes away before the end cancels the run.
 */
export async function streamChat(request: Request, caller: ApiCaller, plan: ChatRunPlan, model: string, includeUsage: boolean): Promise<Response> {
  // Subscribed before the run exists: nothing it says is missed, and no snapshot is read.
  const runId = randomUUID();
  const early = await subscribeBeforeCreate(runId);
  await plan.start(runId).catch((error: unknown) => {
    early.leave();
    throw error;
  });
  let ending = false;
  // A client that stops reading ("stop generating") stops the run too, as closing an OpenAI stream stops the model.
  const clientGone = () => {
    if (!ending) void cancelRunForApi(caller, runId).catch(() => undefined);
  };
  const created = unixSeconds();
  const base = { id: completionId(runId), object: "chat.completion.chunk", created, model };

  const follow = (io: LiveSseWriter) => {
    let streamed = "";
    const write = (data: unknown) => io.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
    const content = (text: string) => {
      if (!text || ending) return;
      streamed += text;
      write({ ...base, choices: [{ index: 0, delta: { content: text }, finish_reason: null, logprobs: null }] });
    };
    const fail = (status: string, message?: string) => {
      const why = status === "waiting" ? "is waiting for an answer (approval or question) in Weft" : status;
      write({ error: { message: `The workflow run ${runId} ${why}${message ? `: ${message}` : "."}`, type: "server_error", param: null, code: `run_${status}` } });
    };
    const finish = async (end: TurnEnd) => {
      // An end event carries the End output or the error; a run that had ended when it was first read is read again.
      const run = end.output !== undefined || end.error ? end : ((await getRunView(caller.workspaceId, runId)) ?? end);
      if (end.status !== "succeeded") return fail(end.status, run.error?.message);
      const answer = await runAnswer(plan.graph, runId, run.output);
      const rest = answer.startsWith(streamed) ? answer.slice(streamed.length) : "";
      if (rest) write({ ...base, choices: [{ index: 0, delta: { content: rest }, finish_reason: null, logprobs: null }] });
      write({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop", logprobs: null }] });
      if (includeUsage) write({ ...base, choices: [], usage: await usageOf(caller.workspaceId, runId) });
    };
    const close = (last: () => Promise<void> | void) => {
      if (ending) return;
      ending = true;
      void Promise.resolve()
        .then(last)
        .catch(() => undefined)
        .finally(() => {
          write("[DONE]");
          io.close();
        });
    };
    write({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null, logprobs: null }] });
    return followTurn(
      runId,
      plan.nodes,
      {
        onText: answerContent({ feeds: plan.feeds, endSources: plan.sources }, content),
        onWait: () => undefined,
        onPause: (reason) => close(() => (reason === "parked" ? fail("waiting") : fail("failed", "the run could not be followed"))),
        onEnd: (end) => close(() => finish(end)),
      },
      early,
    );
  };
  return sseResponse(liveSseStream(request, follow, clientGone), { "X-Weft-Run-Id": runId });
}

async function usageOf(workspaceId: string, runId: string) {
  const run = await getRunView(workspaceId, runId);
  const usage = run?.usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.totalTokens };
}
