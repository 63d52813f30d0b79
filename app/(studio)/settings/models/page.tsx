import type { Metadata } from "next";
import { PageHeader } from "@/components/shell/page-header";
import { ModelAliasesManager } from "@/components/settings/model-aliases-manager";
import { ProvidersManager } from "@/components/settings/providers-manager";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listModelAliases } from "@/lib/providers/aliases";
import { listProviders } from "@/lib/providers/service";

export const metadata: Metadata = { title: "Models" };

export default async function ModelsSettingsPage() {
  const member = await requireMember("provider.read");
  const [providers, aliases] = await Promise.all([listProviders(member), listModelAliases(member)]);
  const canEdit = can(member.role, "provider.manage");
  return (
    <div className="mx-auto max-w-4xl space-y-6 p-8">
      <PageHeader title="Models" description="Model providers and aliases this workspace's AI nodes can call. API keys are encrypted and never shown again." />
      <ProvidersManager initialProviders={providers} canEdit={canEdit} />
      <ModelAliasesManager initialAliases={aliases} providers={providers} canEdit={canEdit} />
    </div>
  );
}
