import { createHash, randomBytes } from "node:crypto";

/**
 * API key secrets: `weft_` + 32 random bytes in base64url. Only the SHA-256 is stored, so a
 * database leak does not leak usable keys; the secret has enough entropy that a fast hash is fine
 * (no password stretching needed), and lookups go by the hash's unique index.
 */
export const API_KEY_PREFIX = "weft_";
/** How many leading characters of a key are kept in clear to tell keys apart. */
export const VISIBLE_PREFIX_LENGTH = 12;

export function generateApiKeySecret(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export const visiblePrefix = (secret: string) => secret.slice(0, VISIBLE_PREFIX_LENGTH);

/** Shape check before touching the database: `weft_` and 43 base64url characters. */
export const looksLikeApiKey = (value: string) => /^weft_[A-Za-z0-9_-]{43}$/.test(value);
