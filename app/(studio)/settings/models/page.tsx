import type { Metadata } from "next";
import { PageHeader } from "@/components/shell/page-header";
import { ProvidersManager } from "@/components/settings/providers-manager";
import { hasRole } from "@/lib/auth/member";
import { requireMember } from "@/lib/auth/session";
import { listProviders } from "@/lib/providers/service";

export const metadata: Metadata = { title: "Models" };

export default async function ModelsSettingsPage() {
  const member = await requireMember();
  const providers = await listProviders(member);
  return (
    <div className="mx-auto max-w-4xl space-y-6 p-8">
      <PageHeader title="Models" description="Model providers this workspace's LLM nodes can call. API keys are encrypted and never shown again." />
      <ProvidersManager initialProviders={providers} canEdit={hasRole(member.role, "developer")} />
    </div>
  );
}
