import { z } from "zod";
import { recordMemberChange } from "@/lib/audit/member-action";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { chatWithProvider, type ChatDeps } from "@/lib/models/chat-service";
import { getNetworkAllowList } from "@/lib/net/workspace-allow-list";
import { knownModel } from "@/lib/models/known-models";
import { PROVIDER_PRESETS } from "@/lib/models/provider-kinds";
import { readProviderLimits } from "@/lib/limits/schema";
import { type Cipher, cipherFromEnv } from "@/lib/secrets/crypto";
import { ServiceError, forbidden, notFound } from "@/lib/services/errors";
import {
  CreateProviderSchema,
  type CreateProviderInput,
  type ModelInfoMap,
  ModelInfoSchema,
  readModelInfoMap,
  type ProviderTestResult,
  type ProviderView,
  TestProviderSchema,
  type TestProviderInput,
  UpdateProviderSchema,
  type UpdateProviderInput,
} from "./schema";

export * from "./schema";

/** Dependencies with production defaults; tests pass their own. */
export interface ProviderServiceDeps extends ChatDeps {
  db?: Db;
  cipher?: Cipher;
}

const VIEW_SELECT = {
  id: true,
  name: true,
  kind: true,
  preset: true,
  baseUrl: true,
  models: true,
  modelInfo: true,
  limits: true,
  apiKeyCipher: true,
  apiKeyHint: true,
  createdAt: true,
  updatedAt: true,
} as const;

type ViewRow = Prisma.ModelProviderGetPayload<{ select: typeof VIEW_SELECT }>;

/** The audit log records a provider's settings and whether its key changed (the ciphertext differs), never the key. */
const AUDITED = { shown: ["name", "preset", "baseUrl", "models"], hidden: ["apiKeyCipher"] } as const;
const auditProvider = (member: Member, action: string, before: ViewRow | null, after: ViewRow | null) =>
  recordMemberChange(member, action, "provider", { before, after }, AUDITED);

function toView(row: ViewRow): ProviderView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    preset: row.preset,
    baseUrl: row.baseUrl,
    models: row.models,
    modelInfo: pickInfo(readModelInfoMap(row.modelInfo), row.models),
    limits: readProviderLimits(row.limits),
    hasApiKey: row.apiKeyCipher !== null,
    apiKeyHint: row.apiKeyCipher !== null ? row.apiKeyHint : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The entries of listed models only. */
function pickInfo(info: ModelInfoMap, models: readonly string[]): ModelInfoMap {
  const out: ModelInfoMap = {};
  for (const model of models) if (info[model]) out[model] = info[model];
  return out;
}

/** Entries for the listed models: given ones first, else what was stored, else the known defaults. */
export function completeModelInfo(models: readonly string[], given: ModelInfoMap | undefined, stored: ModelInfoMap = {}): ModelInfoMap {
  const out: ModelInfoMap = {};
  for (const model of models) {
    const known = knownModel(model);
    const entry = given?.[model] ?? stored[model] ?? (known ? ModelInfoSchema.parse(known) : undefined);
    if (entry) out[model] = entry;
  }
  return out;
}

/** Only long keys get a hint: four characters of a short key give too much of it away. */
function hintFor(apiKey: string): string | null {
  return apiKey.length >= 12 ? apiKey.slice(-4) : null;
}

const requireDeveloper = (member: Member) => requirePermission(member, "provider.manage");

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ServiceError("invalid_request", "The provider settings are invalid.", {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })),
    });
  }
  return parsed.data;
}

function conflictOnName(error: unknown, name: string | undefined): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    throw new ServiceError("conflict", `A provider named "${name ?? ""}" already exists in this workspace.`);
  }
  throw error;
}

async function findRow(db: Db, member: Member, id: string) {
  const row = await db.modelProvider.findFirst({ where: { id, workspaceId: member.workspaceId }, select: VIEW_SELECT });
  if (!row) throw notFound("Model provider");
  return row;
}

/** Any member may list: the editor's model picker needs names. */
export async function listProviders(member: Member, deps: ProviderServiceDeps = {}): Promise<ProviderView[]> {
  const db = deps.db ?? defaultDb();
  const rows = await db.modelProvider.findMany({ where: { workspaceId: member.workspaceId }, orderBy: { name: "asc" }, select: VIEW_SELECT });
  return rows.map(toView);
}

export async function getProvider(member: Member, id: string, deps: ProviderServiceDeps = {}): Promise<ProviderView> {
  return toView(await findRow(deps.db ?? defaultDb(), member, id));
}

export async function createProvider(member: Member, input: CreateProviderInput, deps: ProviderServiceDeps = {}): Promise<ProviderView> {
  requireDeveloper(member);
  const data = parse(CreateProviderSchema, input);
  const db = deps.db ?? defaultDb();
  const cipher = deps.cipher ?? cipherFromEnv();
  const row = await db.modelProvider
    .create({
      data: {
        workspaceId: member.workspaceId,
        name: data.name,
        kind: PROVIDER_PRESETS[data.preset].kind,
        preset: data.preset,
        baseUrl: data.baseUrl,
        apiKeyCipher: data.apiKey ? cipher.encrypt(data.apiKey) : null,
        apiKeyHint: data.apiKey ? hintFor(data.apiKey) : null,
        models: data.models,
        modelInfo: completeModelInfo(data.models, data.modelInfo),
        limits: data.limits ?? {},
      },
      select: VIEW_SELECT,
    })
    .catch((error: unknown) => conflictOnName(error, data.name));
  await auditProvider(member, "provider.created", null, row);
  return toView(row);
}

export async function updateProvider(member: Member, id: string, input: UpdateProviderInput, deps: ProviderServiceDeps = {}): Promise<ProviderView> {
  requireDeveloper(member);
  const data = parse(UpdateProviderSchema, input);
  const db = deps.db ?? defaultDb();
  const cipher = deps.cipher ?? cipherFromEnv();
  const existing = await findRow(db, member, id);
  const models = data.models ?? existing.models;
  const modelInfo = data.models !== undefined || data.modelInfo !== undefined ? completeModelInfo(models, data.modelInfo, readModelInfoMap(existing.modelInfo)) : undefined;

  const key: Prisma.ModelProviderUpdateManyMutationInput = {};
  if (data.apiKey === null) {
    key.apiKeyCipher = null;
    key.apiKeyHint = null;
  } else if (data.apiKey) {
    key.apiKeyCipher = cipher.encrypt(data.apiKey);
    key.apiKeyHint = hintFor(data.apiKey);
  }
  // updateMany keeps the workspace in the WHERE, so the row cannot change hands between find and update.
  await db.modelProvider
    .updateMany({
      where: { id, workspaceId: member.workspaceId },
      data: {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.preset !== undefined ? { preset: data.preset, kind: PROVIDER_PRESETS[data.preset].kind } : {}),
        ...(data.baseUrl !== undefined ? { baseUrl: data.baseUrl } : {}),
        ...(data.models !== undefined ? { models: data.models } : {}),
        ...(modelInfo !== undefined ? { modelInfo } : {}),
        ...(data.limits !== undefined ? { limits: data.limits } : {}),
        ...key,
      },
    })
    .catch((error: unknown) => conflictOnName(error, data.name));
  const updated = await findRow(db, member, id);
  await auditProvider(member, "provider.updated", existing, updated);
  return toView(updated);
}

export async function deleteProvider(member: Member, id: string, deps: ProviderServiceDeps = {}): Promise<void> {
  requireDeveloper(member);
  const db = deps.db ?? defaultDb();
  const existing = await findRow(db, member, id);
  const { count } = await db.modelProvider.deleteMany({ where: { id, workspaceId: member.workspaceId } });
  if (count === 0) throw notFound("Model provider");
  await auditProvider(member, "provider.deleted", existing, null);
}

export const TEST_TIMEOUT_MS = 30_000;

/**
 * A real, minimal completion against the provider ("ping", a few tokens), so a wrong key, URL
 * or model name shows up in Settings with the provider's own message instead of in a run.
 */
export async function testProvider(member: Member, id: string, input: TestProviderInput = {}, deps: ProviderServiceDeps = {}): Promise<ProviderTestResult> {
  requireDeveloper(member);
  const { model: requested } = parse(TestProviderSchema, input);
  const db = deps.db ?? defaultDb();
  const row = await db.modelProvider.findFirst({
    where: { id, workspaceId: member.workspaceId },
    select: { id: true, name: true, kind: true, baseUrl: true, apiKeyCipher: true, models: true },
  });
  if (!row) throw notFound("Model provider");
  const model = requested ?? row.models[0];
  if (!model) throw new ServiceError("invalid_request", "The provider lists no model to test with.");

  const started = performance.now();
  try {
    const response = await chatWithProvider(
      row,
      { providerId: row.id, model, messages: [{ role: "user", content: "Reply with the single word: pong" }], maxTokens: 16, temperature: 0, signal: new AbortController().signal },
      // The same network allow-list as the workspace's runs, so the test answers what a run would see.
      { timeoutMs: TEST_TIMEOUT_MS, allowList: await getNetworkAllowList(db, member.workspaceId), ...deps },
    );
    const latencyMs = Math.round(performance.now() - started);
    const reply = response.text.trim().replace(/\s+/g, " ");
    const shown = reply.length > 80 ? `${reply.slice(0, 80)}…` : reply;
    return { ok: true, model, latencyMs, message: `Connected: ${response.model} answered ${shown ? `"${shown}"` : "(empty reply)"} in ${latencyMs} ms.` };
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started);
    if (error instanceof NodeError) return { ok: false, model, latencyMs, message: error.message, code: error.code };
    throw error;
  }
}
