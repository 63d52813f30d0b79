import { storage as defaultStorage, type FileStorage } from "@/lib/storage";

/**
 * The document an OpenAPI source was imported from, kept as its original text in file storage
 * (WEFT_STORAGE_DIR) for re-import and display. Not in PostgreSQL: GitHub's description is 13 MB,
 * and sending that as a jsonb parameter on every import cost more than the rest of the import.
 */
export const documentKeyOf = (sourceId: string) => `tool-sources/${sourceId}/openapi-document`;

export async function keepDocument(sourceId: string, text: string, store: FileStorage = defaultStorage()): Promise<void> {
  await store.put(documentKeyOf(sourceId), [Buffer.from(text, "utf8")]);
}

export async function dropDocument(sourceId: string, store: FileStorage = defaultStorage()): Promise<void> {
  await store.delete(documentKeyOf(sourceId));
}
