import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { UpdateScheduleSchema } from "@/lib/triggers/schedule-schemas";
import { deleteSchedule, updateSchedule } from "@/lib/triggers/schedules";

type Context = { params: Promise<{ id: string; scheduleId: string }> };

/** Changes a schedule; `{ enabled: false }` pauses it, `{ enabled: true }` resumes it. */
export const PATCH = withMember("workflow.publish", async (request, member, { params }: Context) => {
  const body = await parseJson(request, UpdateScheduleSchema);
  if (body instanceof Response) return body;
  const { id, scheduleId } = await params;
  return NextResponse.json({ schedule: await updateSchedule(member, id, scheduleId, body) });
});

/** Deletes a schedule → 204; its scheduler is removed and a fire already queued does nothing. */
export const DELETE = withMember("workflow.publish", async (_request, member, { params }: Context) => {
  const { id, scheduleId } = await params;
  await deleteSchedule(member, id, scheduleId);
  return new Response(null, { status: 204 });
});
