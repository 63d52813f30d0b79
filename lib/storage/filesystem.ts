import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { assertValidKey, type FileStorage, type StoredFile, StorageNotFoundError, StorageTooLargeError } from "./types";

/**
 * Files under one directory. A put writes to a temporary name and renames it into place, so a
 * reader never sees half a file and an interrupted upload leaves only a temporary file behind.
 */
export function createFilesystemStorage(root: string): FileStorage {
  const base = path.resolve(root);
  const fileOf = (key: string) => {
    assertValidKey(key);
    return path.join(base, ...key.split("/"));
  };

  return {
    async put(key, body, options = {}) {
      const target = fileOf(key);
      await mkdir(path.dirname(target), { recursive: true });
      const temporary = `${target}.${randomUUID()}.part`;
      const hash = createHash("sha256");
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          if (options.maxBytes !== undefined && size > options.maxBytes) return done(new StorageTooLargeError(options.maxBytes));
          hash.update(chunk);
          done(null, chunk);
        },
      });
      try {
        await pipeline(body instanceof Readable ? body : Readable.from(body), meter, createWriteStream(temporary));
        await rename(temporary, target);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      return { key, sizeBytes: size, sha256: hash.digest("hex") } satisfies StoredFile;
    },

    async get(key) {
      const file = fileOf(key);
      try {
        await stat(file);
      } catch {
        throw new StorageNotFoundError(key);
      }
      return createReadStream(file);
    },

    async delete(key) {
      await rm(fileOf(key), { force: true });
    },
  };
}
