import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { forbidden } from "@/lib/services/errors";
import { ToolSettingsSchema, type ToolSettings } from "./schema";
import { allowListProblems } from "./net";

/**
 * Registry-wide settings of a workspace (today: the outbound allow-list). The schema is frozen and
 * has no settings table, so they live in one ToolSource row of kind "settings" with a reserved
 * name; it owns no tools and every source listing filters by its own kind.
 */
export const SETTINGS_KIND = "settings";
const SETTINGS_NAME = "__tool_registry_settings__";

export async function getToolSettings(db: Db, workspaceId: string): Promise<ToolSettings> {
  const row = await db.toolSource.findFirst({ where: { workspaceId, kind: SETTINGS_KIND, name: SETTINGS_NAME }, select: { config: true } });
  const parsed = ToolSettingsSchema.safeParse(row?.config ?? {});
  return parsed.success ? parsed.data : { allowList: [] };
}

/** Admins (and owners) decide which private hosts and networks tools may reach. */
export async function setToolSettings(db: Db, member: Member, input: unknown): Promise<ToolSettings> {
  requirePermission(member, "settings.network.edit");
  const settings = ToolSettingsSchema.parse(input);
  allowListProblems(settings.allowList);
  const config = settings as unknown as Prisma.InputJsonValue;
  await db.toolSource.upsert({
    where: { workspaceId_name: { workspaceId: member.workspaceId, name: SETTINGS_NAME } },
    create: { workspaceId: member.workspaceId, kind: SETTINGS_KIND, name: SETTINGS_NAME, config, createdById: member.userId },
    update: { config },
  });
  return settings;
}
