import type { Metadata } from "next";
import { PageHeader } from "@/components/shell/page-header";
import { NetworkAllowListEditor } from "@/components/settings/network-allow-list";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { getNetworkAllowList } from "@/lib/net/workspace-allow-list";

export const metadata: Metadata = { title: "Network" };

export default async function NetworkSettingsPage() {
  const member = await requireMember("settings.network.read");
  const allowList = await getNetworkAllowList(db(), member.workspaceId);
  return (
    <div className="mx-auto max-w-5xl space-y-6 p-8">
      <PageHeader
        title="Network"
        description="Which private hosts and networks this workspace's HTTP nodes, tools, MCP servers and model providers may reach. Public addresses are always reachable."
      />
      <NetworkAllowListEditor initialAllowList={allowList} canEdit={can(member.role, "settings.network.edit")} />
    </div>
  );
}
