import type { Metadata } from "next";
import Link from "next/link";
import { ApiKeysManager } from "@/components/api-keys/api-keys-manager";
import { PageHeader } from "@/components/shell/page-header";
import { listApiKeys } from "@/lib/api-keys/service";
import { can, refusalMessage } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysSettingsPage() {
  const member = await requireMember();
  const allowed = can(member.role, "apiKey.manage");
  const keys = allowed ? await listApiKeys(member) : [];
  return (
    <div className="mx-auto max-w-5xl space-y-6 p-8">
      <PageHeader
        title="API keys"
        description={
          <>
            Keys for the public API: run published workflows from your own code. See the <Link className="underline" href="/api-docs">API reference</Link>.
          </>
        }
      />
      {allowed ? (
        <ApiKeysManager
          initialKeys={keys.map((k) => ({
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            scopes: k.scopes,
            createdAt: k.createdAt.toISOString(),
            lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
            revokedAt: k.revokedAt?.toISOString() ?? null,
            disabledAt: k.disabledAt?.toISOString() ?? null,
            disabledReason: k.disabledReason,
          }))}
        />
      ) : (
        <p className="text-sm text-muted-foreground">{refusalMessage(member.role, "apiKey.manage")}</p>
      )}
    </div>
  );
}
