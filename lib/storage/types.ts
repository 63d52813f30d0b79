import type { Readable } from "node:stream";

/**
 * Where uploaded files live. One small interface so that an S3-compatible store can replace the
 * filesystem one later; every method streams (a file is never held whole in memory).
 */
export interface FileStorage {
  /** Writes the stream under `key` (replacing what was there) and reports its size and sha256. */
  put(key: string, body: Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options?: { maxBytes?: number }): Promise<StoredFile>;
  /** Reads the file under `key`; throws StorageNotFoundError when there is none. */
  get(key: string): Promise<Readable>;
  /** Removes the file under `key`; removing a missing file is not an error. */
  delete(key: string): Promise<void>;
}

export interface StoredFile {
  key: string;
  sizeBytes: number;
  sha256: string;
}

export class StorageNotFoundError extends Error {
  constructor(key: string) {
    super(`No stored file "${key}".`);
    this.name = "StorageNotFoundError";
  }
}

/** The upload was larger than the caller's limit; nothing is kept. */
export class StorageTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes.`);
    this.name = "StorageTooLargeError";
  }
}

/** Keys are path-like ("kb/<id>/<doc>"), made of safe characters only, so no key can escape the store. */
export function assertValidKey(key: string): void {
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/.test(key) || key.split("/").some((part) => part === "." || part === "..")) {
    throw new Error(`Invalid storage key "${key}".`);
  }
}
