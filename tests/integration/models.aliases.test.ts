import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as detailRoute from "@/app/api/model-aliases/[id]/route";
import * as listRoute from "@/app/api/model-aliases/route";
import type { Member } from "@/lib/auth/member";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import { createChatService } from "@/lib/models/chat-service";
import { ALIAS_PROVIDER_ID } from "@/lib/models/model-ref";
import { type LlmConfig, LlmConfigSchema } from "@/lib/nodes/llm/definition";
import { executeLlm } from "@/lib/nodes/llm/execute";
import { createModelAlias } from "@/lib/providers/aliases";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { createTestProvider } from "./helpers/providers";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";
import { llmContext } from "./helpers/llm-context";
import { createTestMember } from "./helpers/members";

/** Model aliases: CRUD with role checks, and the fallback chain across two OpenAI-wire servers. */

let primary: OpenAiServer;
let backup: OpenAiServer;
let owner: Member;
let primaryId: string;
let backupId: string;

beforeAll(async () => {
  primary = await startOpenAiServer({ apiKey: "sk-primary-key-000001" });
  backup = await startOpenAiServer({ apiKey: "sk-backup-key-0000002" });
  owner = await createTestMember("owner");
  primaryId = (await createTestProvider(owner.workspaceId, primary.url, { apiKey: "sk-primary-key-000001", models: ["big-model"] })).id;
  backupId = (await createTestProvider(owner.workspaceId, backup.url, { apiKey: "sk-backup-key-0000002", models: ["small-model"] })).id;
  await createModelAlias(owner, { name: "smart", description: "Best available", targets: [{ providerId: primaryId, model: "big-model" }, { providerId: backupId, model: "small-model" }] });
});
afterAll(async () => {
  await primary.close();
  await backup.close();
});
beforeEach(() => {
  primary.reset();
  backup.reset();
});

const ask = (overrides: Record<string, unknown> = {}) => ({
  providerId: ALIAS_PROVIDER_ID,
  model: "smart",
  messages: [{ role: "user" as const, content: "Hello there" }],
  signal: new AbortController().signal,
  ...overrides,
});

describe("alias fallback through the chat service", () => {
  it("the first model answers when it can", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    const result = await chat(ask());
    expect(result.text).toBe("Echo: Hello there");
    expect(result.providerId).toBe(primaryId);
    expect(result.model).toBe("big-model");
    expect(result.attempts).toMatchObject([{ providerId: primaryId, model: "big-model", ok: true }]);
    expect(backup.chatRequests()).toHaveLength(0);
  });

  it("falls back to the next model on 429 and on 500, and records every attempt and the answerer", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    primary.script({ error: { status: 429, message: "Rate limit reached", retryAfter: 20 } });
    const limited = await chat(ask());
    expect(limited.text).toBe("Echo: Hello there");
    expect(limited.providerId).toBe(backupId);
    expect(limited.model).toBe("small-model");
    expect(limited.attempts).toMatchObject([
      { providerId: primaryId, model: "big-model", ok: false, error: { code: "provider_rate_limit" } },
      { providerId: backupId, model: "small-model", ok: true },
    ]);
    expect(limited.attempts?.[0]?.error?.message).toContain("Rate limit reached");

    primary.script({ error: { status: 500, message: "The server had an error" } });
    const broken = await chat(ask());
    expect(broken.providerId).toBe(backupId);
    expect(broken.attempts?.map((a) => a.ok)).toEqual([false, true]);
    expect(primary.chatRequests()).toHaveLength(2);
    expect(backup.chatRequests().map((r) => r.model)).toEqual(["small-model", "small-model"]);
  });

  it("does not fall back on 400/401, and reports every failure when all models fail", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    primary.script({ error: { status: 400, message: "Invalid 'messages'" } });
    const refused = await chat(ask()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NodeError);
    expect((refused as NodeError).code).toBe("provider_bad_request");
    expect(backup.chatRequests()).toHaveLength(0);

    primary.script({ error: { status: 503, message: "Primary down" } });
    backup.script({ error: { status: 429, message: "Backup busy" } });
    const both = (await chat(ask()).catch((e: unknown) => e)) as NodeError;
    expect(both.code).toBe("provider_rate_limit");
    expect(both.retryable).toBe(true);
    expect(both.message).toMatch(/^Model alias "smart": every model tried failed\. big-model: .*Primary down \| small-model: .*Backup busy/);
    expect(both.trace.detail?.attempts).toHaveLength(2);
  });

  it("fails clearly for an unknown alias", async () => {
    const chat = createChatService({ db: db(), workspaceId: owner.workspaceId });
    const error = (await chat(ask({ model: "nope" })).catch((e: unknown) => e)) as NodeError;
    expect(error.code).toBe("provider_not_found");
    expect(error.message).toContain('The model alias "nope" does not exist');
  });

  it("an LLM node on an alias records the attempts and which model answered", async () => {
    primary.script({ error: { status: 502, message: "Bad gateway" } });
    const config: LlmConfig = LlmConfigSchema.parse({ providerId: ALIAS_PROVIDER_ID, model: "smart", userPrompt: "Say hi" });
    const ctx = llmContext(config, createChatService({ db: db(), workspaceId: owner.workspaceId }));
    const result = await executeLlm(ctx);
    expect(result.output.text).toBe("Echo: Say hi");
    expect(result.detail).toMatchObject({ alias: "smart", providerId: backupId, model: "small-model" });
    expect((result.detail?.attempts as unknown[]).length).toBe(2);
  });
});

describe("/api/model-aliases routes", () => {
  let ownerCookie: string;
  let viewerCookie: string;
  let workspaceId: string;
  let providerId: string;

  beforeAll(async () => {
    const signedUp = await signUpUser("Alias Owner");
    ownerCookie = signedUp.cookie;
    workspaceId = signedUp.workspaceId;
    providerId = (await createTestProvider(workspaceId, primary.url, { models: ["m1", "m2"] })).id;
    const viewer = await signUpUser("Alias Viewer");
    await db().membership.create({ data: { userId: viewer.userId, workspaceId, role: "viewer" } });
    viewerCookie = `${viewer.cookie}; ${WORKSPACE_COOKIE}=${workspaceId}`;
  });

  it("developers create, rename and delete; viewers list only; targets are checked", async () => {
    const body = { name: "fast", targets: [{ providerId, model: "m1" }, { providerId, model: "m2" }] };
    const created = await listRoute.POST(routeRequest("POST", "/api/model-aliases", ownerCookie, body), undefined);
    expect(created.status).toBe(201);
    const alias = (await created.json()) as { id: string; name: string; targets: unknown[] };
    expect(alias).toMatchObject({ name: "fast", targets: body.targets });

    const duplicate = await listRoute.POST(routeRequest("POST", "/api/model-aliases", ownerCookie, body), undefined);
    expect(duplicate.status).toBe(409);

    const badModel = await listRoute.POST(routeRequest("POST", "/api/model-aliases", ownerCookie, { name: "other", targets: [{ providerId, model: "m9" }] }), undefined);
    expect(badModel.status).toBe(400);
    expect(JSON.stringify(await badModel.json())).toContain("targets.0.model");

    const badName = await listRoute.POST(routeRequest("POST", "/api/model-aliases", ownerCookie, { name: "Has Spaces", targets: body.targets }), undefined);
    expect(badName.status).toBe(400);

    const viewerCreate = await listRoute.POST(routeRequest("POST", "/api/model-aliases", viewerCookie, { ...body, name: "viewer" }), undefined);
    expect(viewerCreate.status).toBe(403);
    const viewerList = await listRoute.GET(routeRequest("GET", "/api/model-aliases", viewerCookie), undefined);
    expect(viewerList.status).toBe(200);
    expect(((await viewerList.json()) as { aliases: { name: string }[] }).aliases.map((a) => a.name)).toEqual(["fast"]);

    const viewerDelete = await detailRoute.DELETE(routeRequest("DELETE", `/api/model-aliases/${alias.id}`, viewerCookie), routeParams(alias.id));
    expect(viewerDelete.status).toBe(403);

    const renamed = await detailRoute.PATCH(routeRequest("PATCH", `/api/model-aliases/${alias.id}`, ownerCookie, { name: "quick", targets: [{ providerId, model: "m2" }] }), routeParams(alias.id));
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ name: "quick", targets: [{ providerId, model: "m2" }] });

    const deleted = await detailRoute.DELETE(routeRequest("DELETE", `/api/model-aliases/${alias.id}`, ownerCookie), routeParams(alias.id));
    expect(deleted.status).toBe(204);
    const gone = await detailRoute.DELETE(routeRequest("DELETE", `/api/model-aliases/${alias.id}`, ownerCookie), routeParams(alias.id));
    expect(gone.status).toBe(404);
  });

  it("another workspace's provider cannot be a target, and nobody signed out can list", async () => {
    const stranger = await createTestMember("owner");
    const foreign = await createTestProvider(stranger.workspaceId, primary.url, { models: ["m1"] });
    const response = await listRoute.POST(routeRequest("POST", "/api/model-aliases", ownerCookie, { name: "foreign", targets: [{ providerId: foreign.id, model: "m1" }] }), undefined);
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain("does not exist in the workspace");
    expect((await listRoute.GET(routeRequest("GET", "/api/model-aliases", null), undefined)).status).toBe(401);
  });
});
