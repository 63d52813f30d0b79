import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { CreateScheduleSchema } from "@/lib/triggers/schedule-schemas";
import { createSchedule, listSchedules } from "@/lib/triggers/schedules";

type Context = { params: Promise<{ id: string }> };

/** The workflow's schedules. */
export const GET = withMember("workflow.read", async (_request, member, { params }: Context) => {
  const { id } = await params;
  return NextResponse.json({ schedules: await listSchedules(member, id) });
});

/** Creates a schedule of the latest published version → 201 { schedule }. */
export const POST = withMember("workflow.publish", async (request, member, { params }: Context) => {
  const body = await parseJson(request, CreateScheduleSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return NextResponse.json({ schedule: await createSchedule(member, id, body) }, { status: 201 });
});
