import { NodeError } from "@/lib/engine/errors";
import type { NodeResult, WaitResolution, WaitingNodeExecutor } from "@/lib/engine/node-kit";
import { StoredAnswerSchema, timeoutAtFrom } from "../wait-kit";
import { questionAnswerSchema, questionValues, type QuestionConfig, type QuestionRequest } from "./definition";

/** First execution: asks (the run waits without a worker). Executed again with the answer, or on timeout with the defaults. */
export const executeQuestion: WaitingNodeExecutor<QuestionConfig> = async (ctx) => {
  if (ctx.resume) return questionResult(ctx.config, ctx.resume);
  const request: QuestionRequest = {
    title: await ctx.render(ctx.config.title),
    prompt: await ctx.render(ctx.config.prompt),
    fields: ctx.config.fields,
    hasTimeout: ctx.config.timeout !== null,
  };
  return { wait: { kind: "question", request, timeoutAt: timeoutAtFrom(ctx.config.timeout) }, input: request };
};

export function questionResult(config: QuestionConfig, resume: WaitResolution): NodeResult {
  if (resume.status === "cancelled") throw new NodeError("cancelled", "The question was cancelled.");
  if (resume.status === "timed_out") {
    return {
      output: { ...questionValues(config.fields, null), answeredBy: null, answeredAt: resume.at, timedOut: true },
      detail: { resolution: "timed_out" },
    };
  }
  const stored = StoredAnswerSchema.safeParse(resume.response);
  // Checked again against the node's own fields: the answer was validated against the same list when it was given.
  const answer = stored.success ? questionAnswerSchema(config.fields).safeParse(stored.data.answer) : undefined;
  if (!stored.success || !answer?.success) throw new NodeError("internal", "The recorded answer could not be read.");
  return {
    output: { ...questionValues(config.fields, answer.data), answeredBy: stored.data.by.name, answeredAt: resume.at, timedOut: false },
    detail: { resolution: "answered", by: stored.data.by },
  };
}
