import { db } from "@/lib/db/client";
import { encryptSecret } from "@/lib/secrets/crypto";

/** A provider row pointing at the OpenAI-wire test server, key encrypted like the service does. */
export async function createTestProvider(workspaceId: string, baseUrl: string, options: { apiKey?: string; models?: string[] } = {}) {
  const apiKey = options.apiKey ?? "sk-test-key-1234";
  return db().modelProvider.create({
    data: {
      workspaceId,
      name: `Test server ${Math.random().toString(36).slice(2, 8)}`,
      kind: "openai_compatible",
      preset: "custom",
      baseUrl,
      apiKeyCipher: encryptSecret(apiKey),
      apiKeyHint: apiKey.slice(-4),
      models: options.models ?? ["test-model"],
    },
  });
}
