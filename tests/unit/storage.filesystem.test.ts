import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFilesystemStorage } from "@/lib/storage/filesystem";
import { StorageNotFoundError, StorageTooLargeError } from "@/lib/storage/types";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "weft-storage-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("filesystem storage", () => {
  it("streams a file in and out, reporting its size and sha256", async () => {
    const store = createFilesystemStorage(root);
    const body = "hello knowledge ".repeat(10_000);
    const stored = await store.put("kb/one/doc.txt", Readable.from([Buffer.from(body.slice(0, 100)), Buffer.from(body.slice(100))]));
    expect(stored).toEqual({ key: "kb/one/doc.txt", sizeBytes: body.length, sha256: createHash("sha256").update(body).digest("hex") });
    expect(await text(await store.get("kb/one/doc.txt"))).toBe(body);
    await store.delete("kb/one/doc.txt");
    await expect(store.get("kb/one/doc.txt")).rejects.toBeInstanceOf(StorageNotFoundError);
    await store.delete("kb/one/doc.txt");
  });

  it("refuses a file over the limit and keeps nothing of it", async () => {
    const store = createFilesystemStorage(root);
    await expect(store.put("kb/big", Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { maxBytes: 1000 })).rejects.toBeInstanceOf(StorageTooLargeError);
    expect(await readdir(root, { recursive: true })).toEqual(["kb"]);
  });

  it("rejects keys that could escape the directory", async () => {
    const store = createFilesystemStorage(root);
    for (const key of ["../x", "a/../../x", "/abs", "a//b", "a/./b", ""]) {
      await expect(store.put(key, Readable.from([Buffer.from("x")]))).rejects.toThrow(/Invalid storage key/);
    }
  });
});
