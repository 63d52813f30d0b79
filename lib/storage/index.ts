import { env } from "@/lib/env";
import { createFilesystemStorage } from "./filesystem";
import type { FileStorage } from "./types";

export * from "./types";

const holder = globalThis as unknown as { __weftStorage?: FileStorage };

/** The process's file store (WEFT_STORAGE_DIR). */
export function storage(): FileStorage {
  holder.__weftStorage ??= createFilesystemStorage(env().WEFT_STORAGE_DIR);
  return holder.__weftStorage;
}
