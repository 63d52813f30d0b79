import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "@/lib/env";

/**
 * Secrets at rest: AES-256-GCM, one key encrypts and every configured key decrypts, so keys can
 * be rotated by prepending a new one. Ciphertext: `v1:<keyId>:<iv b64>:<tag b64>:<data b64>`.
 */

export interface SecretKey {
  id: string;
  key: Buffer;
}

export interface Cipher {
  encrypt(plain: string): string;
  decrypt(cipher: string): string;
  /** Id of the key new ciphertexts are written with. */
  readonly currentKeyId: string;
}

export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretError";
  }
}

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]+$/;

/** Parses "id:base64key,id2:base64key2"; every key must be 32 bytes. */
export function parseSecretKeys(spec: string): SecretKey[] {
  const entries = spec
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new SecretError("No secret keys configured (WEFT_SECRET_KEYS is empty).");
  const seen = new Set<string>();
  return entries.map((entry) => {
    const colon = entry.indexOf(":");
    if (colon <= 0) throw new SecretError(`Secret key entry must look like "id:base64key" (got an entry without an id).`);
    const id = entry.slice(0, colon);
    if (!KEY_ID.test(id)) throw new SecretError(`Secret key id "${id}" may only contain letters, digits, "_" and "-".`);
    if (seen.has(id)) throw new SecretError(`Secret key id "${id}" appears twice.`);
    seen.add(id);
    const key = Buffer.from(entry.slice(colon + 1), "base64");
    if (key.length !== 32) throw new SecretError(`Secret key "${id}" must be 32 bytes in base64 (got ${key.length} bytes).`);
    return { id, key };
  });
}

export function createCipher(keys: SecretKey[] | string): Cipher {
  const list = typeof keys === "string" ? parseSecretKeys(keys) : keys;
  const first = list[0];
  if (!first) throw new SecretError("No secret keys configured.");
  const byId = new Map(list.map((k) => [k.id, k.key]));

  return {
    currentKeyId: first.id,
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", first.key, iv);
      // The key id is authenticated too, so a ciphertext cannot be relabelled to another key.
      cipher.setAAD(Buffer.from(`${VERSION}:${first.id}`));
      const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, first.id, iv.toString("base64"), tag.toString("base64"), data.toString("base64")].join(":");
    },
    decrypt(text) {
      const parts = text.split(":");
      if (parts.length !== 5 || parts[0] !== VERSION) {
        throw new SecretError("The secret is not in a recognised format (expected v1:<keyId>:<iv>:<tag>:<data>).");
      }
      const [, keyId, ivB64, tagB64, dataB64] = parts as [string, string, string, string, string];
      const key = byId.get(keyId);
      if (!key) {
        throw new SecretError(`The secret was encrypted with key "${keyId}", which is not configured in WEFT_SECRET_KEYS.`);
      }
      const iv = Buffer.from(ivB64, "base64");
      const tag = Buffer.from(tagB64, "base64");
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretError("The secret is corrupted (bad IV or tag length).");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(`${VERSION}:${keyId}`));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(Buffer.from(dataB64, "base64")), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretError("The secret could not be decrypted: it was tampered with or the key is wrong.");
      }
    },
  };
}

let defaultCipher: Cipher | undefined;

/** The process-wide cipher from WEFT_SECRET_KEYS. */
export function cipherFromEnv(): Cipher {
  defaultCipher ??= createCipher(env().WEFT_SECRET_KEYS);
  return defaultCipher;
}

export function encryptSecret(plain: string): string {
  return cipherFromEnv().encrypt(plain);
}

export function decryptSecret(cipher: string): string {
  return cipherFromEnv().decrypt(cipher);
}

/** Redaction lives in ./redact (pure, shared by the worker and the MCP pool); re-exported for existing callers. */
export { REDACTED, redactSecrets } from "./redact";
