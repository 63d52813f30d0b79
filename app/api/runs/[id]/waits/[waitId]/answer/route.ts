import { NextResponse } from "next/server";
import { z } from "zod";
import { parseJson, withMember } from "@/lib/auth/http";
import { answerView, answerWait } from "@/lib/runs/waits";

export const dynamic = "force-dynamic";

const BodySchema = z.record(z.string(), z.unknown());

/**
 * POST /api/runs/:id/waits/:waitId/answer: an editor (or above) answers an approval or question.
 * 400 when the answer does not fit, 403 for viewers or below the assignee role, 404 for another
 * workspace, 409 when already answered.
 */
export const POST = withMember("wait.answer", async (request, member, { params }: { params: Promise<{ id: string; waitId: string }> }) => {
  const body = await parseJson(request, BodySchema, 256 * 1024);
  if (body instanceof Response) return body;
  const { id, waitId } = await params;
  return NextResponse.json(answerView(await answerWait({ kind: "member", member }, id, { waitId }, body)));
});
