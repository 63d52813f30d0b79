import type { Prisma } from "@/lib/generated/prisma/client";

/**
 * Bulk writes of an import's tool rows, as one statement each with the rows as a single jsonb
 * parameter. Prisma's createMany/update pass every Json field through its query engine one by one:
 * 400 GitHub-sized operations took 6.1 s that way and 0.9 s as one jsonb_to_recordset statement
 * (same transaction, measured under load; bench/openapi-import.ts has the figures).
 */
export interface NewToolRow {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  inputSchema: unknown;
  config: unknown;
  sourceId: string;
  ownerId: string;
}

export interface ChangedToolRow {
  id: string;
  description: string;
  inputSchema: unknown;
  config: unknown;
}

export async function insertOpenApiTools(tx: Prisma.TransactionClient, rows: NewToolRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO tools (id, "workspaceId", kind, name, description, "inputSchema", config, "sourceId", "ownerId", "updatedAt")
     SELECT id, "workspaceId", 'openapi', name, description, "inputSchema", config, "sourceId", "ownerId", now()
     FROM jsonb_to_recordset($1::jsonb) AS t(id text, "workspaceId" text, name text, description text, "inputSchema" jsonb, config jsonb, "sourceId" text, "ownerId" text)`,
    JSON.stringify(rows),
  );
}

/** New schema, config and description for tools that changed, each version bumped. */
export async function updateOpenApiTools(tx: Prisma.TransactionClient, rows: ChangedToolRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRawUnsafe(
    `UPDATE tools SET description = t.description, "inputSchema" = t."inputSchema", config = t.config, version = tools.version + 1, "updatedAt" = now()
     FROM jsonb_to_recordset($1::jsonb) AS t(id text, description text, "inputSchema" jsonb, config jsonb)
     WHERE tools.id = t.id`,
    JSON.stringify(rows),
  );
}
