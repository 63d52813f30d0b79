import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/shell/page-header";
import { McpServersSection } from "@/components/tools/mcp/mcp-servers-section";
import { ToolsManager } from "@/components/tools/tools-manager";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listTools } from "@/lib/tools/service";

export const metadata: Metadata = { title: "Tools" };

export default async function ToolsPage() {
  const member = await requireMember("tool.read");
  const tools = await listTools(member);
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
            ; private hosts they may reach, from{" "}
            <Link className="underline" href="/settings/network">
              Network
            </Link>
            .
          </>
        }
      />
      <ToolsManager
        initialTools={tools}
        canManage={canManage}
        canTest={can(member.role, "tool.test")}
      />
      <McpServersSection canManage={canManage} />
    </div>
  );
}
