import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import {
  createProvider,
  deleteProvider,
  getProvider,
  listProviders,
  testProvider,
  updateProvider,
} from "@/lib/providers/service";
import { decryptSecret } from "@/lib/secrets/crypto";
import { ServiceError } from "@/lib/services/errors";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { createTestMember } from "./helpers/members";

const KEY = "sk-provider-service-secret-abcd";

let server: OpenAiServer;
let owner: Member;
let other: Member;

async function serviceError(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServiceError);
  return error as ServiceError;
}

async function rawRow(id: string) {
  const rows = await db().$queryRaw<{ apiKeyCipher: string | null; apiKeyHint: string | null }[]>`
    SELECT "apiKeyCipher", "apiKeyHint" FROM model_providers WHERE id = ${id}`;
  return rows[0];
}

const input = (overrides: Record<string, unknown> = {}) => ({
  name: `Provider ${Math.random().toString(36).slice(2, 8)}`,
  preset: "openai" as const,
  baseUrl: `${server.url}/`,
  apiKey: KEY,
  models: ["test-model", " gpt-4o-mini ", "test-model"],
  ...overrides,
});

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: KEY });
  owner = await createTestMember("owner");
  other = await createTestMember("owner");
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

describe("provider service", () => {
  it("creates a provider with the key encrypted at rest and never returned", async () => {
    const view = await createProvider(owner, input({ name: "OpenAI main" }));
    expect(view).toMatchObject({
      name: "OpenAI main",
      kind: "openai_compatible",
      preset: "openai",
      baseUrl: server.url,
      models: ["test-model", "gpt-4o-mini"],
      hasApiKey: true,
      apiKeyHint: "abcd",
    });
    expect(Object.keys(view).sort()).toEqual(["apiKeyHint", "baseUrl", "createdAt", "hasApiKey", "id", "kind", "limits", "modelInfo", "models", "name", "preset", "updatedAt"]);
    expect(view.limits).toEqual({});
    // A well-known model gets its known metadata; an unknown one none.
    expect(view.modelInfo).toEqual({
      "gpt-4o-mini": { contextWindow: 128_000, maxOutputTokens: 16_384, capabilities: { tools: true, json: true, vision: true, streaming: true }, inputPrice: 0.15, outputPrice: 0.6, currency: "USD" },
    });

    const raw = await rawRow(view.id);
    expect(raw?.apiKeyCipher).toBeTruthy();
    expect(raw?.apiKeyCipher).not.toContain(KEY);
    expect(raw?.apiKeyCipher?.startsWith("v1:test1:")).toBe(true);
    expect(decryptSecret(raw!.apiKeyCipher!)).toBe(KEY);

    for (const seen of [view, await getProvider(owner, view.id), await listProviders(owner)]) {
      const text = JSON.stringify(seen);
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(raw!.apiKeyCipher!);
    }
  });

  it("stores per-model info: given entries win, stored ones survive a model list change, new models get known defaults", async () => {
    const view = await createProvider(owner, input({ models: ["test-model"], modelInfo: { "test-model": { contextWindow: 8000, inputPrice: 1, outputPrice: 2, currency: "eur" } } }));
    expect(view.modelInfo).toEqual({ "test-model": { contextWindow: 8000, capabilities: { tools: true, json: false, vision: false, streaming: true }, inputPrice: 1, outputPrice: 2, currency: "EUR" } });
    const grown = await updateProvider(owner, view.id, { models: ["test-model", "deepseek-chat"] });
    expect(grown.modelInfo["test-model"]?.currency).toBe("EUR");
    expect(grown.modelInfo["deepseek-chat"]).toMatchObject({ contextWindow: 128_000, inputPrice: 0.28, outputPrice: 0.42, currency: "USD" });
    const edited = await updateProvider(owner, view.id, { modelInfo: { "deepseek-chat": { inputPrice: 0.5, outputPrice: 1, currency: "USD", capabilities: { tools: false, json: true, vision: false, streaming: true } } } });
    expect(edited.modelInfo["deepseek-chat"]).toEqual({ capabilities: { tools: false, json: true, vision: false, streaming: true }, inputPrice: 0.5, outputPrice: 1, currency: "USD" });
    const shrunk = await updateProvider(owner, view.id, { models: ["deepseek-chat"] });
    expect(Object.keys(shrunk.modelInfo)).toEqual(["deepseek-chat"]);
    await expect(updateProvider(owner, view.id, { modelInfo: { "deepseek-chat": { inputPrice: -1 } } })).rejects.toMatchObject({ code: "invalid_request" });
  });

  it("stores rate limits, replaces them on update and refuses zero or fractional ones with a message naming the field", async () => {
    const view = await createProvider(owner, input({ name: "Limited", limits: { requestsPerMinute: 60, maxConcurrentCalls: 4 } }));
    expect(view.limits).toEqual({ requestsPerMinute: 60, maxConcurrentCalls: 4 });
    expect((await updateProvider(owner, view.id, { limits: { tokensPerMinute: 90_000 } })).limits).toEqual({ tokensPerMinute: 90_000 });
    expect((await updateProvider(owner, view.id, { name: "Limited still" })).limits).toEqual({ tokensPerMinute: 90_000 });
    const error = await updateProvider(owner, view.id, { limits: { requestsPerMinute: 0, maxConcurrentCalls: 1.5 } }).catch((e: unknown) => e as ServiceError);
    expect(error).toMatchObject({ code: "invalid_request" });
    const issues = (error as ServiceError).details?.issues as { path: string; message: string }[];
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "limits.requestsPerMinute", message: "Requests per minute must be at least 1 (leave it empty for no limit)" },
        { path: "limits.maxConcurrentCalls", message: "Concurrent calls must be a whole number" },
      ]),
    );
  });

  it("keeps the key when an update omits it, replaces it when given, removes it on null", async () => {
    const created = await createProvider(owner, input());
    const before = await rawRow(created.id);

    const renamed = await updateProvider(owner, created.id, { name: "Renamed", models: ["gpt-4o-mini"], apiKey: "" });
    expect(renamed).toMatchObject({ name: "Renamed", models: ["gpt-4o-mini"], hasApiKey: true, apiKeyHint: "abcd" });
    expect((await rawRow(created.id))?.apiKeyCipher).toBe(before?.apiKeyCipher);

    const rotated = await updateProvider(owner, created.id, { apiKey: "sk-a-brand-new-key-wxyz" });
    expect(rotated.apiKeyHint).toBe("wxyz");
    expect(decryptSecret((await rawRow(created.id))!.apiKeyCipher!)).toBe("sk-a-brand-new-key-wxyz");

    const short = await updateProvider(owner, created.id, { apiKey: "short1" });
    expect(short).toMatchObject({ hasApiKey: true, apiKeyHint: null });

    const cleared = await updateProvider(owner, created.id, { apiKey: null, preset: "ollama" });
    expect(cleared).toMatchObject({ hasApiKey: false, apiKeyHint: null, preset: "ollama" });
    expect(await rawRow(created.id)).toEqual({ apiKeyCipher: null, apiKeyHint: null });
  });

  it("validates input with messages per field", async () => {
    const error = await serviceError(createProvider(owner, input({ apiKey: undefined, baseUrl: "ftp://x", models: [] })));
    expect(error.code).toBe("invalid_request");
    const issues = error.details?.issues as { path: string; message: string }[];
    expect(issues.map((i) => i.path).sort()).toEqual(["apiKey", "baseUrl", "models"]);

    const missingKey = await serviceError(createProvider(owner, input({ apiKey: undefined })));
    expect(missingKey.details?.issues).toEqual([{ path: "apiKey", message: "OpenAI needs an API key." }]);

    // Ollama needs no key.
    const local = await createProvider(owner, input({ preset: "ollama", apiKey: undefined }));
    expect(local.hasApiKey).toBe(false);
  });

  it("refuses a duplicate name with a conflict", async () => {
    await createProvider(owner, input({ name: "Twin" }));
    const error = await serviceError(createProvider(owner, input({ name: "Twin" })));
    expect(error.code).toBe("conflict");
    // Names are per workspace.
    await expect(createProvider(other, input({ name: "Twin" }))).resolves.toMatchObject({ name: "Twin" });
  });

  it("hides other workspaces' providers: not found on get, update, delete and test", async () => {
    const theirs = await createProvider(other, input());
    for (const attempt of [
      () => getProvider(owner, theirs.id),
      () => updateProvider(owner, theirs.id, { name: "Stolen" }),
      () => deleteProvider(owner, theirs.id),
      () => testProvider(owner, theirs.id),
    ]) {
      expect((await serviceError(attempt())).code).toBe("not_found");
    }
    expect((await listProviders(owner)).map((p) => p.id)).not.toContain(theirs.id);
    expect((await getProvider(other, theirs.id)).name).toBe(theirs.name);
    expect(server.requests).toHaveLength(0);
  });

  it("lets any member list but only developers and above change or test", async () => {
    const created = await createProvider(owner, input());
    for (const role of ["viewer", "editor"] as const) {
      const member = { ...owner, role };
      expect((await listProviders(member)).map((p) => p.id)).toContain(created.id);
      expect((await serviceError(createProvider(member, input()))).code).toBe("forbidden");
      expect((await serviceError(updateProvider(member, created.id, { name: "x" }))).code).toBe("forbidden");
      expect((await serviceError(deleteProvider(member, created.id))).code).toBe("forbidden");
      expect((await serviceError(testProvider(member, created.id))).code).toBe("forbidden");
    }
    const developer = { ...owner, role: "developer" as const };
    await expect(updateProvider(developer, created.id, { name: `Dev edit ${created.id.slice(0, 4)}` })).resolves.toBeTruthy();
  });

  it("deletes", async () => {
    const created = await createProvider(owner, input());
    await deleteProvider(owner, created.id);
    expect((await serviceError(getProvider(owner, created.id))).code).toBe("not_found");
    expect((await serviceError(deleteProvider(owner, created.id))).code).toBe("not_found");
  });

  it("tests the connection with a real call and reports the provider's own error", async () => {
    const created = await createProvider(owner, input());
    server.script({ text: "pong" });
    const ok = await testProvider(owner, created.id);
    expect(ok).toMatchObject({ ok: true, model: "test-model", message: expect.stringMatching(/^Connected: test-model answered "pong" in \d+ ms\.$/) });
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
    const sent = server.chatRequests()[0];
    expect(sent?.max_tokens).toBe(16);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);

    const other = await testProvider(owner, created.id, { model: "gpt-4o-mini" });
    expect(other.model).toBe("gpt-4o-mini");

    await updateProvider(owner, created.id, { apiKey: "sk-definitely-the-wrong-key" });
    const denied = await testProvider(owner, created.id);
    expect(denied).toMatchObject({ ok: false, code: "provider_auth" });
    expect(denied.message).toMatch(/^The provider rejected the API key \(401\): Incorrect API key provided/);
    expect(denied.message).not.toContain("sk-definitely-the-wrong-key");

    await updateProvider(owner, created.id, { apiKey: KEY });
    server.script({ error: { status: 503, message: "Model is overloaded, try later." } });
    const down = await testProvider(owner, created.id);
    expect(down).toMatchObject({ ok: false, code: "provider_unavailable", message: "The provider failed (503): Model is overloaded, try later." });
  });
});
