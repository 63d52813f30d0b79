import { z } from "zod";
import { withApiKey } from "@/lib/api/route";
import type { AnswerWaitResult } from "@/lib/api/schemas";
import { parseJson } from "@/lib/auth/http";
import { answerView, answerWait } from "@/lib/runs/waits";

export const dynamic = "force-dynamic";

/** Any JSON object; what it must contain depends on the wait (checked by answerWait against its request). */
const BodySchema = z.record(z.string(), z.unknown());

/**
 * POST /api/v1/runs/:id/waits/:waitId/answer: answers a pending approval or question. 200 with the
 * recorded answer; 400 when it does not fit the request (`invalid_input` with `issues`); 403 below
 * the approval's assignee role; 404 for another workspace's run or an unknown wait; 409 when the
 * wait is no longer pending or the run has ended.
 */
export const POST = withApiKey("wait.answer", async (request, caller, { params }: { params: Promise<{ id: string; waitId: string }> }) => {
  const body = await parseJson(request, BodySchema, 256 * 1024);
  if (body instanceof Response) return body;
  const { id, waitId } = await params;
  const view: AnswerWaitResult = answerView(await answerWait({ kind: "api_key", caller }, id, { waitId }, body));
  return Response.json(view);
});
