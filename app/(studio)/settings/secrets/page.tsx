import type { Metadata } from "next";
import { PageHeader } from "@/components/shell/page-header";
import { SecretsManager } from "@/components/settings/secrets-manager";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { listSecrets } from "@/lib/secrets/service";

export const metadata: Metadata = { title: "Secrets" };

export default async function SecretsSettingsPage() {
  const member = await requireMember();
  const allowed = can(member.role, "secret.read");
  const secrets = allowed ? await listSecrets(member) : [];
  return (
    <div className="mx-auto max-w-5xl space-y-6 p-8">
      <PageHeader
        title="Secrets"
        description="API keys and tokens for tools and HTTP requests. Values are encrypted (AES-256-GCM) and never shown again; runs send each one only to its allowed hosts and record it as [redacted]."
      />
      {allowed ? (
        <SecretsManager
          initialSecrets={secrets.map((s) => ({ ...s, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() }))}
          canEdit={can(member.role, "secret.edit")}
          canDelete={can(member.role, "secret.delete")}
          userId={member.userId}
          isAdmin={can(member.role, "secret.policy")}
        />
      ) : (
        <p className="text-sm text-muted-foreground">Secrets are visible to editors and above; you are {member.role}.</p>
      )}
    </div>
  );
}
