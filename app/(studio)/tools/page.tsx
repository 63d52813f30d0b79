import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/shell/page-header";
import { McpServersSection } from "@/components/tools/mcp/mcp-servers-section";
import { ToolsManager } from "@/components/tools/tools-manager";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { listTools } from "@/lib/tools/service";
import { getToolSettings } from "@/lib/tools/settings";

export const metadata: Metadata = { title: "Tools" };

export default async function ToolsPage() {
  const member = await requireMember("tool.read");
  const [tools, settings] = await Promise.all([listTools(member), getToolSettings(db(), member.workspaceId)]);
  const canManage = can(member.role, "tool.manage");
  return (
    <div className="mx-auto max-w-6xl space-y-8 p-8">
      <PageHeader
        title="Tools"
        description={
          <>
            What agents and Tool nodes can call: HTTP endpoints, imported OpenAPI operations, sandboxed code, published workflows and MCP servers. Credentials come from{" "}
            <Link className="underline" href="/settings/secrets">
              Secrets
            </Link>
            .
          </>
        }
      />
      <ToolsManager
        initialTools={tools}
        initialAllowList={settings.allowList}
        canManage={canManage}
        canTest={can(member.role, "tool.test")}
        canSetAllowList={can(member.role, "settings.network.edit")}
      />
      <McpServersSection canManage={canManage} />
    </div>
  );
}
